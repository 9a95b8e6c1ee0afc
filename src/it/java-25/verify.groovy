
String log = new File(basedir, 'build.log').text
if (!new File('/usr/lib/jvm/temurin-25-jdk-amd64/bin/java').exists()) {
    println 'java-25: SKIPPED, no Java 25 at /usr/lib/jvm/temurin-25-jdk-amd64'
    return true
}
String xml = new File(basedir, 'target/surefire-reports/TEST-it.OnJava25Test.xml').text
assert xml.contains('name="java.specification.version" value="25"') : 'the tests ran on Java 25'
assert !xml.contains('<skipped') && !xml.contains('<failure') && !xml.contains('<error')
assert !log.contains('WARNING: A restricted method') : 'no native-access warning with the documented setting'
assert !(log =~ /(?m)^WARNING/) : 'no warning lines at all'
assert !log.contains('managed-processes: Java') : 'no hint needed when the setting is there'
return true
