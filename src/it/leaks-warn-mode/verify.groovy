
// End whatever the build leaked on purpose (pids from the JSON report), so nothing outlives it.
def killLeaked(File dir) {
    dir.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }.each { json ->
        (json.text =~ /"pid": (\d+)/).each { m -> ['kill', '-9', m[1]].execute().waitFor() }
    }
}

File target = new File(basedir, 'target')
killLeaked(target)
assert !new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text.contains('<failure')
String txt = target.listFiles().find { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.txt/ }.text
assert txt.contains('LeakyTest > leaks()  [exact]') && txt.contains('sleep 43')
assert txt.contains('action: reported (warn mode)')
// visible: in the test's own output, and in a framed block at the end, each naming the test
String log = new File(basedir, 'build.log').text
assert log.contains('managed-processes: it.LeakyTest#leaks (LeakyTest > leaks()) leaked 1 process (mode warn):')
assert log =~ /(?m)^={100}\nmanaged-processes: 1 process leaked by 1 test; report: \S+\.txt\n  it\.LeakyTest#leaks \(LeakyTest > leaks\(\)\)\n      pid \d+ .* sleep 43\n  \(mode warn: no test fails for this; managedprocesses\.leaks\.mode=fail fails the tests that leak, =kill ends what they leave\)\n={100}$/
String xml = new File(target, 'surefire-reports/TEST-it.CleanTest.xml').text
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
