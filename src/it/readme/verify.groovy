
File target = new File(basedir, 'target')
String log = new File(basedir, 'build.log').text
// every README class compiled, and every test among them (and every main, through ReadmeMainsTest) passed
def reports = new File(target, 'surefire-reports').listFiles().findAll { it.name ==~ /TEST-.*\.xml/ }*.name.sort()
assert reports == ['TEST-ReadmeMainsTest.xml', 'TEST-ServerAssertionsTest.xml', 'TEST-ServerTest.xml'] : "reports: ${reports}"
reports.each { name ->
    String xml = new File(target, "surefire-reports/${name}").text
    assert xml.contains('<testcase') && !xml.contains('<failure') && !xml.contains('<error') : "${name} failed"
}
assert log =~ /serving \S+ at http:\/\/127\.0\.0\.1:\d+\//
// the Surefire snippet's leak detection was on, in fail mode, and found nothing
String txt = target.listFiles().find { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.txt/ }.text
assert txt.contains(', mode fail, ') && txt.contains('0 leaked processes in 0 findings.')
// Maven (and so this build) runs on Java 17, the oldest supported
assert new File(target, 'surefire-reports/TEST-ServerTest.xml').text.contains('name="java.specification.version" value="17"')
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
