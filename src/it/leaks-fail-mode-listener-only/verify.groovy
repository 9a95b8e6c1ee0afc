
// End whatever the build leaked on purpose (pids from the JSON report), so nothing outlives it.
def killLeaked(File dir) {
    dir.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.json/ }.each { json ->
        (json.text =~ /"pid": (\d+)/).each { m -> ['kill', '-9', m[1]].execute().waitFor() }
    }
}

File target = new File(basedir, 'target')
killLeaked(target)
String leaky = new File(target, 'surefire-reports/TEST-it.LeakyTest.xml').text
assert !leaky.contains('<failure') : 'a listener alone cannot fail the test itself'
String log = new File(basedir, 'build.log').text
assert log.contains('The test run leaked 1 process (managed-processes leak detection, mode fail)')
assert log.contains('sleep 42')
assert target.listFiles().any { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.txt/ }
return true
