
File target = new File(basedir, 'target')
// every process the tests started is gone (a zombie waiting for init does not run)
new File(target, 'pids.txt').readLines().each { pid ->
    File stat = new File("/proc/${pid}/stat")
    assert !stat.exists() || stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z') : "pid ${pid} survived"
}
def xml = new File(target, 'surefire-reports/TEST-it.ServerTest.xml').text
assert xml.contains('failing on purpose') : 'the failing test is reported'
assert xml.count('<testcase') == 2
// the failing test's stdout was kept: publishFile (JUnit 5.12+) or target/managed-processes (older)
def kept = []
basedir.eachFileRecurse { if (it.name ==~ /pid-\d+-stdout\.txt/) kept << it }
assert kept.any { it.text.contains('diagnostic line') } : "no attached stdout found under ${basedir}"
String log = new File(basedir, 'build.log').text
assert !(log =~ /(?m)^WARNING/) : 'no JVM warning lines'
return true
