
File target = new File(basedir, 'target')
String log = new File(basedir, 'build.log').text
// the tests ran: no NoClassDefFoundError for LauncherSessionListener, no crashed fork
assert !log.contains('NoClassDefFoundError') && !log.contains('There was an error in the forked process')
String clean = new File(target, 'surefire-reports/TEST-it.CleanTest.xml').text
assert clean.count('<testcase') == 2 && !clean.contains('<failure') && !clean.contains('<error')
// detection still works on launcher 1.3.1: the leak fails its test, and fail mode ended the process
String leaky = new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text
assert leaky.contains('<failure') && leaky.contains('leaked 1 process (managed-processes leak detection, mode fail)')
def json = target.listFiles().find { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }
assert json != null && json.text.contains('"commandLine": "sleep 45"')
(json.text =~ /"pid": (\d+)/).each { m ->
    File stat = new File("/proc/${m[1]}/stat")
    assert !stat.exists() || stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z') : "leaked pid ${m[1]} still runs"
}
// exactly one line says why the launcher limits detection, and what to upgrade
def notice = log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
        .findAll { it.contains('predates launcher sessions') }
assert notice.size() == 1 : "one notice line, found ${notice}"
assert notice[0] ==~ /managed-processes: JUnit Platform launcher 1\.3\.1 predates launcher sessions \(1\.8\), .*use maven-surefire-plugin 3\.x.*/
// Maven (and so this build) runs on Java 17, the oldest supported
assert clean.contains('name="java.specification.version" value="17"') : 'run the build with JAVA_HOME set to a JDK 17'
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
