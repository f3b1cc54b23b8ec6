package io.calisto.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run}'s core pool and burstable limit when nobody configured them: the CPUs left after the IO core, so the
 * embedded default never puts more busy threads on the machine than it has CPUs (4 core-actors and a spinning IO
 * thread on 2 CPUs made every packet wait for the OS's time slices). A value set anywhere but reference.conf (a
 * {@code --config} file, {@code -D}, {@code --cores}) wins; {@code --cores N} alone grows the pool to N.
 */
final class CoreDefaults {
    static final String POOL = "calisto.cores.pool", BURSTABLE = "calisto.cores.burstable", GUARANTEED = "calisto.cores.guaranteed";

    private CoreDefaults() {}

    /** Pool cores for a machine of {@code cpus} CPUs: CPUs − 1 (the IO core's), at least 1. */
    static int poolSize(int cpus) { return Math.max(1, cpus - 1); }

    /** {@code config} with the pool and burstable limit resolved for {@code cpus} CPUs where they were not configured. */
    static Config resolve(Config config, int cpus) {
        Map<String, Object> m = new LinkedHashMap<>();
        int guaranteed = config.getInt(GUARANTEED);
        int pool;
        if (defaulted(config, POOL)) {
            // --cores N (burstable N set explicitly) asks for N cores: the pool must hold them
            pool = Math.max(poolSize(cpus), defaulted(config, BURSTABLE) ? 0 : config.getInt(BURSTABLE));
            List<Integer> cores = new ArrayList<>();
            for (int c = 0; c < pool; c++) cores.add(c);
            m.put(POOL, cores);
        } else {
            pool = config.getIntList(POOL).size();
        }
        if (defaulted(config, BURSTABLE)) m.put(BURSTABLE, Math.max(guaranteed, pool));
        return m.isEmpty() ? config : ConfigFactory.parseMap(m).withFallback(config);
    }

    /** True when {@code key}'s value comes from a module's reference.conf, i.e. nobody set it. */
    private static boolean defaulted(Config config, String key) {
        return "reference.conf".equals(config.getValue(key).origin().resource());
    }
}
