import dev.managedprocesses.*;

/**
 * One JVM's spawn + wait of /bin/true in one scope: 3,000 of warm-up (their own scope), then 4,000 measured; prints
 * the mean microseconds per process. Run by busy-core.sh on a library jar given on the class path.
 */
public class SpawnLoop {
    public static void main(String[] a) throws Exception {
        ProcessScope scope = ProcessScope.builder().open();
        for (int i = 0; i < 3000; i++) scope.start("/bin/true").waitFor();
        scope.close();
        scope = ProcessScope.builder().open();
        long t0 = System.nanoTime();
        for (int i = 0; i < 4000; i++) scope.start("/bin/true").waitFor();
        System.out.printf("%.1f%n", (System.nanoTime() - t0) / 1e3 / 4000);
        scope.close();
    }
}
