package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** The page store module reads core (and through it the arena), and core's internals, and exports only its API. */
class ModuleDescriptorTest {

    @Test
    void requiresCoreAndExportsOnlyItsApi() {
        Module module = Durability.class.getModule();
        assertThat(module.isNamed()).as("tests must run on the module path").isTrue();
        ModuleDescriptor d = module.getDescriptor();
        assertThat(d.name()).isEqualTo("org.skipstore.pagestore");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name).contains("org.skipstore.core");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("org.skipstore.pagestore");
        // core's requires transitive makes the arena readable here too
        Module arena = module.getLayer().findModule("org.skipstore.arena").orElseThrow();
        assertThat(module.canRead(arena)).isTrue();
        // core's internals (key prefixes, which partitions keep) are exported to this module alone
        Module core = module.getLayer().findModule("org.skipstore.core").orElseThrow();
        assertThat(core.isExported("org.skipstore.core.internal", module)).isTrue();
        assertThat(core.isExported("org.skipstore.core.internal")).as("to every module").isFalse();
        assertThat(core.isExported("org.skipstore.core.internal", arena)).isFalse();
    }
}
