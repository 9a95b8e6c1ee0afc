// The same checks as junit-6 (the same test, built against JUnit 6.1), on this project's own target/.
return new GroovyShell(binding).evaluate(new File(basedir.parentFile, 'junit-6/verify.groovy'))
