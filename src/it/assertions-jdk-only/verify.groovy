
String xml = new File(basedir, 'target/surefire-reports/TEST-it.JdkProcessTest.xml').text
assert xml.contains('tests="2"') && xml.contains('failures="0"') && xml.contains('errors="0"')
String log = new File(basedir, 'build.log').text
assert !(log =~ /(?m)^WARNING/) : 'no warning lines'
return true
