
// End whatever the build leaked on purpose (pids from the JSON report), so nothing outlives it.
def killLeaked(File dir) {
    dir.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }.each { json ->
        (json.text =~ /"pid": (\d+)/).each { m -> ['kill', '-9', m[1]].execute().waitFor() }
    }
}

File target = new File(basedir, 'target')
killLeaked(target)

// Surefire's report marks exactly the guilty test
String leaky = new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text
assert leaky.contains('<failure') : 'LeakyTest must be red in Surefire XML'
assert leaky.contains('leaked 1 process (managed-processes leak detection, mode fail)')
String clean = new File(target, 'surefire-reports/TEST-it.CleanTest.xml').text
assert !clean.contains('<failure') && !clean.contains('<error') : 'CleanTest (which checks that the platform is portable) must stay green'

// the report files exist, with the tree and the test's name
def reports = target.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.(txt|json)/ }
assert reports.size() == 2 : "one txt + one json per JVM, found ${reports*.name}"
String txt = reports.find { it.name.endsWith('.txt') }.text
assert txt.contains('1. LeakyTest > leaks()  [exact]')
assert txt.contains('[class:it.LeakyTest]/[method:leaks()]')
// state '?': the portable platform read the process through ProcessHandle, which cannot tell a process's state
assert txt =~ /pid \d+  ppid \d+  state \?  age [0-9.]+ s  user \S+  \S*sleep 43/
assert reports.find { it.name.endsWith('.json') }.text =~ /"commandLine": "\S*sleep 43"/
String log = new File(basedir, 'build.log').text
assert log.contains('managed-processes: 1 process leaked by 1 test')
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
