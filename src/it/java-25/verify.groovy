
// (selector.groovy skips this build where there is no Java 25 JDK)
String log = new File(basedir, 'build.log').text
String xml = new File(basedir, 'target/surefire-reports/TEST-it.OnJava25Test.xml').text
assert xml.contains('name="java.specification.version" value="25"') : 'the tests ran on Java 25'
assert xml.contains('tests="1"') && !xml.contains('<skipped') && !xml.contains('<failure') && !xml.contains('<error')
assert !log.contains('A restricted method') : 'no native-access warning with the documented setting'
assert !log.contains('managed-processes: Java') : 'no hint needed when the setting is there'
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
