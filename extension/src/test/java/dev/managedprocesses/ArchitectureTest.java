package dev.managedprocesses;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The package map of CONTRIBUTING.md, enforced: which package may use which, that jffi stays in the Linux
 * layer, and that no internal type appears in a public signature of a package users see. A rule that is
 * broken fails here with the offending dependency named.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.managedprocesses";
    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

    /** What users name from the root package besides plain values: the scope, the handle, the views. */
    private static final Set<String> FACADES = Set.of("ProcessScope", "ProcessSpec", "ManagedProcess", "ScopedProcess",
            "ProcessOutput", "ProcessRecord");

    /** The packages users see (exported); everything under {@code internal} is not. */
    private static final String[] PUBLIC_PACKAGES = {ROOT, ROOT + ".junit", ROOT + ".assertj", ROOT + ".assertj.error",
        ROOT + ".awaitility", ROOT + ".leaks"};

    private static final DescribedPredicate<JavaClass> FACADE = describe("the API's scope, handle and views",
            c -> c.getPackageName().equals(ROOT)
                    && FACADES.contains(c.getName().substring(ROOT.length() + 1).split("\\$")[0])); // nested ones too
    private static final DescribedPredicate<JavaClass> VALUE = describe("the API's values and exceptions",
            c -> c.getPackageName().equals(ROOT) && !FACADE.test(c));
    private static final DescribedPredicate<JavaClass> JDK = resideInAnyPackage("java..");
    private static final DescribedPredicate<JavaClass> LOOKUP = describe("internal.core.ProcessLookup",
            c -> c.getName().equals(ROOT + ".internal.core.ProcessLookup"));

    private static ArchRule onlyUses(String packages, DescribedPredicate<JavaClass> allowed) {
        return classes().that().resideInAPackage(packages).should().onlyDependOnClassesThat(allowed)
                .because("of the package map in CONTRIBUTING.md");
    }

    private static DescribedPredicate<JavaClass> in(String... packages) {
        return resideInAnyPackage(packages);
    }

    @Test
    void the_os_layer_uses_nothing_of_ours_but_values() {
        onlyUses(ROOT + ".internal.os..", JDK.or(in(ROOT + ".internal.os..", "com.kenai.jffi..")).or(VALUE))
                .check(LIBRARY);
    }

    @Test
    void only_the_linux_layer_touches_jffi() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".internal.os.linux..").should().dependOnClassesThat()
                .resideInAPackage("com.kenai.jffi..").check(LIBRARY);
    }

    @Test
    void the_reactor_uses_only_the_os_layer() {
        onlyUses(ROOT + ".internal.reactor..", JDK.or(in(ROOT + ".internal.reactor..", ROOT + ".internal.os..")))
                .check(LIBRARY);
    }

    @Test
    void the_hazard_owners_use_only_the_os_layer_and_the_reactor() {
        onlyUses(ROOT + ".internal.safety..", JDK.or(in(ROOT + ".internal.safety..", ROOT + ".internal.os..",
                ROOT + ".internal.reactor..")).or(VALUE)).check(LIBRARY);
    }

    @Test
    void the_janitor_uses_only_what_is_below_it() {
        onlyUses(ROOT + ".internal.janitor..", JDK.or(in(ROOT + ".internal.janitor..", ROOT + ".internal.safety..",
                ROOT + ".internal.os..", ROOT + ".internal.reactor..")).or(VALUE)).check(LIBRARY);
    }

    @Test
    void the_engine_never_uses_the_api_facades_or_the_features() {
        onlyUses(ROOT + ".internal.core..", JDK.or(in(ROOT + ".internal.core..", ROOT + ".internal.janitor..",
                ROOT + ".internal.safety..", ROOT + ".internal.os..", ROOT + ".internal.reactor..")).or(VALUE))
                .check(LIBRARY);
    }

    @Test
    void the_api_reaches_the_engine_only_through_internal_core() {
        classes().that(FACADE).should().onlyDependOnClassesThat(JDK.or(in(ROOT, ROOT + ".internal.core..")))
                .check(LIBRARY);
        classes().that(VALUE).should().onlyDependOnClassesThat(JDK.or(VALUE).or(LOOKUP)
                .or(describe("internal.os.SignalNumbers", c -> c.getName().equals(ROOT + ".internal.os.SignalNumbers")))
                .or(describe("internal.os.PlatformChoice", c -> c.getName().equals(ROOT + ".internal.os.PlatformChoice"))))
                .check(LIBRARY);
    }

    @Test
    void the_junit_extension_uses_only_the_api_and_the_engines_configuration() {
        onlyUses(ROOT + ".junit..", JDK.or(in(ROOT, ROOT + ".junit..", "org.junit..")).or(FACADE)
                .or(describe("internal.core.ContainmentMode", c -> c.getName().equals(ROOT + ".internal.core.ContainmentMode"))))
                .check(LIBRARY);
    }

    @Test
    void assertions_and_conditions_use_only_the_api_and_lookups() {
        DescribedPredicate<JavaClass> api = JDK.or(in(ROOT)).or(LOOKUP);
        onlyUses(ROOT + ".assertj..", api.or(in(ROOT + ".assertj..", ROOT + ".internal.assertj..", "org.assertj.."))).check(LIBRARY);
        onlyUses(ROOT + ".internal.assertj..", api.or(in(ROOT + ".internal.assertj.."))).check(LIBRARY);
        onlyUses(ROOT + ".awaitility..", api.or(in(ROOT + ".awaitility..", "org.awaitility.."))).check(LIBRARY);
    }

    @Test
    void the_leak_detector_uses_the_engine_but_no_other_feature() {
        onlyUses(ROOT + ".leaks..", JDK.or(in(ROOT + ".leaks..", ROOT + ".internal.core..", ROOT + ".internal.safety..",
                ROOT + ".internal.janitor..", ROOT + ".internal.os..", ROOT + ".internal.reactor..", "org.junit.."))
                .or(VALUE)).check(LIBRARY);
    }

    @Test
    void no_internal_type_appears_in_a_public_signature() {
        members().that().areDeclaredInClassesThat(resideInAnyPackage(PUBLIC_PACKAGES))
                .and().areDeclaredInClassesThat().arePublic()
                .and(describe("are public or protected", m -> m.getModifiers().contains(JavaModifier.PUBLIC)
                        || m.getModifiers().contains(JavaModifier.PROTECTED)))
                .should(mentionNoInternalType())
                .check(LIBRARY);
        classes().that().resideInAnyPackage(PUBLIC_PACKAGES).and().arePublic()
                .should(extendNoInternalType())
                .check(LIBRARY);
    }

    private static boolean internal(JavaClass c) {
        return c.getPackageName().startsWith(ROOT + ".internal") || (c.getPackageName().equals(ROOT)
                && !c.getModifiers().contains(JavaModifier.PUBLIC));
    }

    private static ArchCondition<JavaMember> mentionNoInternalType() {
        return new ArchCondition<>("mention no internal type (nor a package-private one of the root package)") {
            @Override
            public void check(JavaMember member, ConditionEvents events) {
                Set<JavaClass> mentioned = new HashSet<>();
                if (member instanceof JavaField f) {
                    mentioned.addAll(f.getType().getAllInvolvedRawTypes());
                } else if (member instanceof JavaCodeUnit c) {
                    mentioned.addAll(c.getReturnType().getAllInvolvedRawTypes());
                    for (JavaType t : c.getParameterTypes()) {
                        mentioned.addAll(t.getAllInvolvedRawTypes());
                    }
                }
                for (JavaClass c : mentioned) {
                    if (internal(c)) {
                        events.add(SimpleConditionEvent.violated(member, member.getFullName() + " mentions " + c.getName()));
                    }
                }
            }
        };
    }

    private static ArchCondition<JavaClass> extendNoInternalType() {
        return new ArchCondition<>("extend or implement no internal type") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                List<JavaClass> supers = new java.util.ArrayList<>(type.getRawInterfaces());
                type.getRawSuperclass().ifPresent(supers::add);
                for (JavaClass c : supers) {
                    if (internal(c)) {
                        events.add(SimpleConditionEvent.violated(type, type.getName() + " extends " + c.getName()));
                    }
                }
            }
        };
    }
}
