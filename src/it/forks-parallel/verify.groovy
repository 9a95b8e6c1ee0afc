
File target = new File(basedir, 'target')
def reports = target.listFiles().findAll { it.name ==~ /leaks-\d+-[0-9a-f]{6}\.txt/ }
assert reports.size() == 2 : "one leak report per fork, found ${reports*.name}"
assert reports.collect { (it.name =~ /leaks-(\d+)-/)[0][1] }.unique().size() == 2 : 'two different JVMs'
def withLeak = reports.findAll { it.text.contains('sleep 44') }
assert withLeak.size() == 1 : 'the leak is reported once, by the fork that ran it'
assert withLeak[0].text.contains('Parallel1Test')
target.listFiles().findAll { it.name ==~ /leaks-.*\.json/ }.each { json ->
    (json.text =~ /"pid": (\d+)/).each { m -> ['kill', '-9', m[1]].execute().waitFor() }
}
new File(target, 'pids.txt').readLines().each { pid ->
    File stat = new File("/proc/${pid}/stat")
    assert !stat.exists() || stat.text.substring(stat.text.lastIndexOf(')') + 2).startsWith('Z') : "pid ${pid} survived"
}
String xml = new File(basedir, 'target/surefire-reports/TEST-it.Parallel1Test.xml').text
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
