// The same README build as ../readme: its template pom.xml, then its script.
new File(basedir, 'pom.xml').text = new File(itSources, 'readme/pom.xml').text
        .replace('<artifactId>readme</artifactId>', '<artifactId>readme-maven-3.9</artifactId>')
evaluate(new File(itSources, 'readme/prebuild.groovy'))
