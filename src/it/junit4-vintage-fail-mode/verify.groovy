
File target = new File(basedir, 'target')
String log = new File(basedir, 'build.log').text
// a test failure, not a crashed fork
assert !log.contains('There was an error in the forked process') : 'the leak must fail a test, not the fork'
assert log.contains('There are test failures')
assert log =~ /Tests run: 3, Failures: 1, Errors: 0, Skipped: 0/
// the JUnit 4 tests themselves passed: a JUnit 4 test cannot be failed from outside
String junit4 = new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text
assert junit4.count('<testcase') == 2 && !junit4.contains('<failure')
// the leak check's own failed test names the leaking test's class and method, with advice for JUnit 4
String check = new File(target, 'surefire-reports/TEST-dev.managedprocesses.leaks.LeakCheckEngine.xml').text
assert check.contains('<failure') && check.contains('it.LeakyTest#leaks')
assert log.contains('Test it.LeakyTest#leaks (LeakyTest > leaks) leaked 1 process (managed-processes leak detection, mode fail):')
assert log =~ /pid \d+  ppid \d+  state [RS]  age [0-9.]+ s  user \S+  sleep 46/
assert log.contains('End such processes in the test (Process.destroy() and waitFor() in an @After method')
assert !log.contains('waits_for_its_process leaked')
// fail mode ended the leaked process: nothing of it runs after the build
assert log.contains('It was ended (SIGTERM')
def json = target.listFiles().find { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }
assert json != null && json.text.contains('"commandLine": "sleep 46"')
def pids = (json.text =~ /"pid": (\d+)/).collect { it[1] }
assert pids.size() == 1
pids.each { pid ->
    File stat = new File("/proc/${pid}/stat")
    assert !stat.exists() || stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z') : "leaked pid ${pid} still runs"
}
assert !"ps -eo args".execute().text.readLines().any { it.trim() == 'sleep 46' } : 'the leaked sleep 46 still runs'
// Maven (and so this build) runs on Java 17, the oldest supported
assert junit4.contains('name="java.specification.version" value="17"') : 'run the build with JAVA_HOME set to a JDK 17'
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
