
// (selector.groovy skips this build where there is no Java 25 JDK)
String log = new File(basedir, 'build.log').text
String xml = new File(basedir, 'target/surefire-reports/TEST-it.OnJava25Test.xml').text
assert xml.contains('name="java.specification.version" value="25"') : 'the tests ran on Java 25'
assert xml.contains('tests="1"') && !xml.contains('<skipped') && !xml.contains('<failure') && !xml.contains('<error')
assert log.contains('managed-processes: Java 25 needs native access for jffi: add --enable-native-access=ALL-UNNAMED to the test JVM') : 'the library says in one line what to add'
// Without the setting the JDK's own four restricted-method lines are expected, and nothing else.
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.size() == 4 && warnings.every { it.startsWith('WARNING: ') } : "only the JDK's warning, found:\n${warnings.join('\n')}"
assert warnings[0] == 'WARNING: A restricted method in java.lang.System has been called'
assert warnings[1].startsWith('WARNING: java.lang.System::load has been called by com.kenai.jffi.internal.StubLoader')
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
