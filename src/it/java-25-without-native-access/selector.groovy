// Runs this consumer build only where a Java 25 JDK is installed (Temurin, under /usr/lib/jvm on our
// CI machines, for any architecture: /usr/lib/jvm/temurin-25*). Elsewhere the invoker's summary shows
// it SKIPPED, and the line below says why.
def jdk = (new File('/usr/lib/jvm').listFiles() ?: [] as File[])
        .findAll { it.name.startsWith('temurin-25') && new File(it, 'bin/java').canExecute() }
        .sort { it.name }
        .find()
if (jdk == null) {
    String reason = 'java-25-without-native-access: SKIPPED, no Java 25 JDK on this machine (looked for /usr/lib/jvm/temurin-25*/bin/java)'
    println reason // into build.log
    // and onto Maven's console, which the invoker does not give selector scripts (their System.out is build.log)
    new PrintStream(new FileOutputStream(FileDescriptor.out), true).println('[INFO] ' + reason)
    return false
}
// The build's Surefire runs its tests on that JDK: test.properties becomes -D options of the build.
new File(basedir, 'test.properties').text = "java25.home=${jdk.absolutePath}\n"
return true
