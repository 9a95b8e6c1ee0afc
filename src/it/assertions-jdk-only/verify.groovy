
String xml = new File(basedir, 'target/surefire-reports/TEST-it.JdkProcessTest.xml').text
assert xml.contains('tests="2"') && xml.contains('failures="0"') && xml.contains('errors="0"')
// Maven (and so this build) runs on Java 17, the oldest supported
assert xml.contains('name="java.specification.version" value="17"') : 'run the build with JAVA_HOME set to a JDK 17'
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
