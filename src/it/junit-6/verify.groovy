
File target = new File(basedir, 'target')
// every process the tests started is gone (a zombie waiting for init does not run)
new File(target, 'pids.txt').readLines().each { pid ->
    File stat = new File("/proc/${pid}/stat")
    assert !stat.exists() || stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z') : "pid ${pid} survived"
}
def xml = new File(target, 'surefire-reports/TEST-it.ServerTest.xml').text
assert xml.contains('failing on purpose') : 'the failing test is reported'
assert xml.count('<testcase') == 2
// Maven (and so this build) runs on Java 17, the oldest supported
assert xml.contains('name="java.specification.version" value="17"') : 'run the build with JAVA_HOME set to a JDK 17'
// the failing test's stdout was kept: publishFile (JUnit 5.12+) or target/managed-processes (older)
def kept = []
basedir.eachFileRecurse { if (it.name ==~ /pid-\d+-stdout\.txt/) kept << it }
assert kept.any { it.text.contains('diagnostic line') } : "no attached stdout found under ${basedir}"
def warnings = warningLines(new File(basedir, 'build.log'))
assert warnings.isEmpty() : "no warning lines in the build, found:\n${warnings.join('\n')}"
return true

// Warning lines of any origin, colour codes stripped first: Maven's "[WARNING] ...", the JDK's
// "WARNING: ..." (Surefire may print it behind an ANSI code), the VM's "OpenJDK 64-Bit Server VM warning: ...".
List<String> warningLines(File log) {
    log.readLines().collect { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '') }
            .findAll { it =~ /(?i)\bwarning\b\s*[:\]]|\[WARN\]/ }
}
