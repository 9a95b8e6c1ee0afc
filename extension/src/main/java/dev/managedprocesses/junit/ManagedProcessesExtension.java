package dev.managedprocesses.junit;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessPlatform;
import dev.managedprocesses.ProcessRecord;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.SurvivorsException;
import dev.managedprocesses.internal.core.ContainmentMode;
import dev.managedprocesses.junit.ManagedProcesses.Leftovers;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The Jupiter extension behind {@link ManagedProcesses}. Scopes live in the {@link ExtensionContext.Store}
 * of the context they belong to (as an {@code AutoCloseable}, so the store ends them even if a
 * callback is skipped) and are also closed explicitly in {@code afterEach}/{@code afterAll}, which is
 * where their records are published and where a failure is reported. Closing is idempotent.
 * Parallel-safe: each scope owns only the processes started or adopted through it. Users name the
 * annotation, never this class (as with JUnit's own {@code TempDirectory}).
 */
class ManagedProcessesExtension implements ParameterResolver, BeforeAllCallback, BeforeEachCallback,
        AfterEachCallback, AfterAllCallback {

    static final String GRACE_KEY = ManagedProcesses.GRACE_KEY;
    static final String LEFTOVERS_KEY = ManagedProcesses.LEFTOVERS_KEY;
    static final String RECORDS_KEY = ManagedProcesses.RECORDS_KEY;

    private static final Namespace NAMESPACE = Namespace.create(ManagedProcessesExtension.class);
    // Store lookups fall through to parent contexts, so keys name their own context: a test must
    // never pick up its class's scope by accident.
    private static final String SCOPE_KEY = "scope@";
    private static final String FAILED_KEY = "a-test-failed@";
    private static final System.Logger LOG = System.getLogger(ManagedProcessesExtension.class.getName());

    // ---------------------------------------------------------------- parameters

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getParameter().getType() != ProcessScope.class) {
            return false;
        }
        if (parameterContext.getDeclaringExecutable() instanceof Constructor) {
            throw new ParameterResolutionException("ProcessScope cannot be injected into constructor ["
                    + parameterContext.getDeclaringExecutable() + "]: a constructor runs outside any test's or "
                    + "class's lifecycle. Declare it as a parameter of a @BeforeAll method (one scope for the class), "
                    + "or of a @BeforeEach or test method (one scope per test)");
        }
        return true;
    }

    /**
     * {@code @BeforeAll} and {@code @AfterAll} methods receive the class context, so the class's scope;
     * {@code @BeforeEach}, test and {@code @AfterEach} methods a test's context, so that test's scope.
     * {@code @AfterEach}/{@code @AfterAll} methods run before this extension's callbacks, so they get the
     * same scope as the test (or class), still open: teardown comes after them.
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return scope(extensionContext).scope();
    }

    // ---------------------------------------------------------------- fields

    @Override
    public void beforeAll(ExtensionContext context) {
        // Validate the annotation now, so a bad value fails the class even if it never asks for a scope.
        Settings.of(context);
        Class<?> testClass = context.getRequiredTestClass();
        for (Field field : scopeFields(testClass, f -> Modifier.isStatic(f.getModifiers()))) {
            inject(field, null, context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Field field : scopeFields(instance.getClass(), f -> !Modifier.isStatic(f.getModifiers()))) {
                inject(field, instance, context);
            }
        }
    }

    private static List<Field> scopeFields(Class<?> type, Predicate<Field> filter) {
        return ReflectionSupport.findFields(type, f -> f.isAnnotationPresent(ManagedProcesses.Scope.class)
                && filter.test(f), HierarchyTraversalMode.TOP_DOWN);
    }

    private void inject(Field field, Object instance, ExtensionContext context) {
        if (field.getType() != ProcessScope.class) {
            throw new ExtensionConfigurationException("@ManagedProcesses.Scope field [" + field + "] must be of type "
                    + ProcessScope.class.getName() + " but was " + field.getType().getName() + ": declare it as a "
                    + "ProcessScope (static for one scope for the class, an instance field for one per test)");
        }
        if (Modifier.isFinal(field.getModifiers())) {
            throw new ExtensionConfigurationException("@ManagedProcesses.Scope field [" + field + "] must not be "
                    + "declared as final: the extension injects it (a static field gets one scope for the class, an "
                    + "instance field one per test)");
        }
        try {
            field.setAccessible(true);
            field.set(instance, scope(context).scope());
        } catch (ExtensionConfigurationException e) {
            throw e; // already says what is wrong
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException("Cannot inject ProcessScope field [" + field + "]: " + e, e);
        }
    }

    // ---------------------------------------------------------------- teardown

    @Override
    public void afterEach(ExtensionContext context) {
        trackFailure(context);
        closeScope(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // A @Nested class whose @BeforeAll (or @AfterAll) failed ran no test that could report it.
        trackFailure(context);
        closeScope(context);
    }

    /**
     * Like TempDir's failure tracker: a class-scoped process's output is worth keeping if anything below
     * the class failed. Every ancestor, not just the parent: a @ParameterizedTest invocation's parent is its
     * template, a @Nested test's parent the nested class; the scope may belong to any class above.
     */
    private static void trackFailure(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            for (Optional<ExtensionContext> p = context.getParent(); p.isPresent(); p = p.get().getParent()) {
                ExtensionContext ancestor = p.get();
                ancestor.getStore(NAMESPACE).put(FAILED_KEY + ancestor.getUniqueId(), Boolean.TRUE);
            }
        }
    }

    private void closeScope(ExtensionContext context) {
        ScopeResource resource = context.getStore(NAMESPACE).get(SCOPE_KEY + context.getUniqueId(), ScopeResource.class);
        if (resource != null) {
            resource.closeAndReport();
        }
    }

    private ScopeResource scope(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(SCOPE_KEY + context.getUniqueId(), k -> {
            Settings settings = Settings.of(context);
            ProcessScope scope = ProcessScope.builder().name(displayName(context))
                    .gracePeriod(settings.grace()).open();
            return new ScopeResource(scope, context, settings);
        }, ScopeResource.class);
    }

    private static String displayName(ExtensionContext context) {
        List<String> parts = new ArrayList<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent() && c.get().getParent().isPresent();
                c = c.get().getParent()) {
            parts.add(0, c.get().getDisplayName());
        }
        return String.join(" > ", parts);
    }

    /** The scope as stored: closing it tears down, publishes records, and reports failures. */
    @SuppressWarnings("deprecation") // CloseableResource: JUnit before 5.13 only closes stored values of that type
    static final class ScopeResource implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private final ProcessScope scope;
        private final ExtensionContext context;
        private final Leftovers leftovers;
        private final String printed;
        private boolean reported;

        ScopeResource(ProcessScope scope, ExtensionContext context, Settings settings) {
            this.scope = scope;
            this.context = context;
            this.leftovers = settings.leftovers();
            this.printed = settings.records();
        }

        ProcessScope scope() {
            return scope;
        }

        /** Store cleanup: tears down if afterEach/afterAll did not (idempotent). */
        @Override
        public void close() {
            closeAndReport();
        }

        synchronized void closeAndReport() {
            if (reported) {
                return;
            }
            reported = true;
            SurvivorsException survivors = null;
            try {
                scope.close();
            } catch (SurvivorsException e) {
                survivors = e;
            }
            List<ProcessRecord> records = scope.records();
            for (ProcessRecord r : records) {
                context.publishReportEntry("managed-process", r.summary());
                // report entries reach few people (Surefire keeps them in its XML only): say what matters here too
                if (printed.equals("all") || (printed.equals("notable")
                        && (r.neededSigkill() || r.survived() || r.origin() == ProcessRecord.Origin.ESCAPED))) {
                    System.out.println("[managed-processes] " + scope.name() + ": " + r.summary());
                }
            }
            if (failed()) {
                attachOutput();
            }
            if (survivors != null) {
                throw survivors;
            }
            if (leftovers == Leftovers.FAIL) {
                List<ProcessRecord> left = records.stream().filter(ProcessRecord::wasLeftover).toList();
                if (!left.isEmpty()) {
                    StringBuilder sb = new StringBuilder(scope.name()).append(" left ").append(left.size())
                            .append(left.size() == 1 ? " process" : " processes")
                            .append(" running when it ended (@ManagedProcesses(leftovers = FAIL)); they were ended:");
                    left.forEach(r -> sb.append("\n  ").append(r.summary()));
                    sb.append("\nEnd them in the test (terminate(), waitFor()), or use leftovers = KILL");
                    throw new AssertionError(sb.toString());
                }
            }
        }

        private boolean failed() {
            return context.getExecutionException().isPresent()
                    || Boolean.TRUE.equals(context.getStore(NAMESPACE).get(FAILED_KEY + context.getUniqueId(), Boolean.class));
        }

        private void attachOutput() {
            for (ManagedProcess p : scope.processes()) {
                attach(p, "stdout", p.stdout().isCaptured() ? p.stdout().text() : "");
                attach(p, "stderr", p.stderr().isCaptured() ? p.stderr().text() : "");
            }
        }

        private void attach(ManagedProcess p, String stream, String text) {
            if (text.isEmpty()) {
                return;
            }
            String name = "pid-" + p.pid() + "-" + stream + ".txt";
            try {
                OutputFiles.publish(context, name, text);
            } catch (LinkageError | RuntimeException e) {
                // JUnit before 5.12 has no publishFile (and a launcher may have no output directory):
                // write under target/ and say where.
                try {
                    Path file = OutputFiles.fallbackDirectory(context).resolve(name);
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, text, StandardCharsets.UTF_8);
                    context.publishReportEntry("managed-process-output", file.toAbsolutePath().toString());
                } catch (IOException io) {
                    LOG.log(System.Logger.Level.WARNING, "managed-processes: could not save " + name + ": " + io);
                }
            }
        }
    }

    /** Settings for one scope: the annotation, else the configuration parameters (read once per run). */
    record Settings(Duration grace, Leftovers leftovers, String records) {

        static Settings of(ExtensionContext context) {
            Settings defaults = context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(Settings.class, k -> readDefaults(context), Settings.class);
            Duration grace = defaults.grace();
            Leftovers leftovers = defaults.leftovers();
            // Directly present, meta-present (a composed annotation) or inherited; else on an enclosing class.
            Optional<ManagedProcesses> annotation = Optional.empty();
            Class<?> annotated = context.getTestClass().orElse(null);
            for (; annotated != null; annotated = annotated.getEnclosingClass()) {
                annotation = AnnotationSupport.findAnnotation(annotated, ManagedProcesses.class);
                if (annotation.isPresent()) {
                    break;
                }
            }
            if (annotation.isPresent()) {
                ManagedProcesses a = annotation.get();
                if (!a.gracePeriod().isEmpty()) {
                    try {
                        grace = GraceParser.parse(a.gracePeriod());
                    } catch (IllegalArgumentException e) {
                        throw new ExtensionConfigurationException("@ManagedProcesses(gracePeriod = \"" + a.gracePeriod()
                                + "\") on " + annotated.getName() + ": " + e.getMessage());
                    }
                }
                if (a.leftovers() != Leftovers.DEFAULT) {
                    leftovers = a.leftovers();
                }
            }
            return new Settings(grace, leftovers, defaults.records());
        }

        private static Settings readDefaults(ExtensionContext context) {
            try {
                ProcessPlatform.request(context.getConfigurationParameter(ProcessPlatform.PROPERTY).orElse(null),
                        "JUnit configuration parameter");
            } catch (RuntimeException e) {
                throw new ExtensionConfigurationException(e.getMessage(), e);
            }
            context.getConfigurationParameter(ContainmentMode.KEY).ifPresent(mode -> {
                try {
                    ContainmentMode.configure(mode, "configuration parameter " + ContainmentMode.KEY);
                } catch (IllegalArgumentException e) {
                    throw new ExtensionConfigurationException(e.getMessage());
                }
            });
            Duration grace = ProcessScope.DEFAULT_GRACE_PERIOD;
            Optional<String> g = context.getConfigurationParameter(GRACE_KEY);
            if (g.isPresent()) {
                try {
                    grace = GraceParser.parse(g.get());
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "managed-processes: ignoring configuration parameter "
                            + GRACE_KEY + ": " + e.getMessage() + "; using " + grace.toMillis() + " ms");
                }
            }
            Leftovers leftovers = Leftovers.KILL;
            Optional<String> l = context.getConfigurationParameter(LEFTOVERS_KEY);
            if (l.isPresent()) {
                switch (l.get().trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "kill" -> leftovers = Leftovers.KILL;
                    case "fail" -> leftovers = Leftovers.FAIL;
                    default -> LOG.log(System.Logger.Level.WARNING, "managed-processes: ignoring configuration "
                            + "parameter " + LEFTOVERS_KEY + "='" + l.get() + "': use kill or fail; using kill");
                }
            }
            String records = context.getConfigurationParameter(RECORDS_KEY)
                    .map(v -> v.trim().toLowerCase(java.util.Locale.ROOT)).orElse("notable");
            if (!List.of("notable", "all", "none").contains(records)) {
                LOG.log(System.Logger.Level.WARNING, "managed-processes: ignoring configuration parameter " + RECORDS_KEY
                        + "='" + records + "': use notable, all or none; using notable");
                records = "notable";
            }
            return new Settings(grace, leftovers, records);
        }
    }
}
