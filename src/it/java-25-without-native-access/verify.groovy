
String log = new File(basedir, 'build.log').text
if (!new File('/usr/lib/jvm/temurin-25-jdk-amd64/bin/java').exists()) {
    println 'java-25-without-native-access: SKIPPED, no Java 25 at /usr/lib/jvm/temurin-25-jdk-amd64'
    return true
}
assert log.contains('managed-processes: Java 25 needs native access for jffi: add --enable-native-access=ALL-UNNAMED to the test JVM') : 'the library says in one line what to add'
return true
