
// The leaked pids (from the JSON report) that still run (a zombie waiting for its parent does not run).
List<String> leakedAlive(File dir) {
    dir.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }.collectMany { json ->
        (json.text =~ /"pid": (\d+)/).collect { it[1] }.findAll { pid ->
            File stat = new File("/proc/${pid}/stat")
            stat.exists() && !stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z')
        }
    }
}

// End whatever the build leaked on purpose (pids from the JSON report), so nothing outlives it.
def killLeaked(File dir) {
    dir.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }.each { json ->
        (json.text =~ /"pid": (\d+)/).each { m -> ['kill', '-9', m[1]].execute().waitFor() }
    }
}

File target = new File(basedir, 'target')
def alive = leakedAlive(target)
killLeaked(target)
assert alive.isEmpty() : "fail mode left leaked pids running: ${alive}"
String leaky = new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text
assert !leaky.contains('<failure') : 'a listener alone cannot fail the test itself'
// the leak check engine (after the Jupiter engine on the class path) fails a test of its own, named after it
String check = new File(target, 'surefire-reports/TEST-dev.managedprocesses.leaks.LeakCheckEngine.xml').text
assert check.contains('<failure') && check.contains('it.LeakyTest#leaks')
String log = new File(basedir, 'build.log').text
assert log.contains('Test it.LeakyTest#leaks (LeakyTest > leaks()) leaked 1 process (managed-processes leak detection, mode fail)')
assert log.contains('sleep 42')
assert !log.contains('There was an error in the forked process') : 'a test failure, not a crashed fork'
assert target.listFiles().any { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.txt/ }
// Maven (and so this build) runs on Java 17, the oldest supported
assert leaky.contains('name="java.specification.version" value="17"') : 'run the build with JAVA_HOME set to a JDK 17'
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
