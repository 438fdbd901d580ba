package org.skipstore.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** The tests run on the module path, and the module exports its API package only. */
class ModuleDescriptorTest {

    @Test
    void exportsOnlyTheApiPackage() {
        Module module = ShardedArena.class.getModule();
        assertThat(module.isNamed()).as("tests must run on the module path").isTrue();
        assertThat(module.getName()).isEqualTo("org.skipstore.arena");
        assertThat(module.getDescriptor().exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("org.skipstore.arena");
        assertThat(module.getDescriptor().packages())
                .containsExactlyInAnyOrder("org.skipstore.arena", "org.skipstore.arena.internal");
        assertThat(module.getDescriptor().requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactly("java.base");
    }
}
