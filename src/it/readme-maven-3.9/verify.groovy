
// run by Maven 3.9, not by the Maven that runs this project's build
assert new File(basedir, 'build.log').readLines().any { it.replaceAll(/\x1B\[[0-9;]*[A-Za-z]/, '').startsWith('Apache Maven 3.9.11') }
// and the same checks as the readme build
return evaluate(new File(itSources, 'readme/verify.groovy'))
