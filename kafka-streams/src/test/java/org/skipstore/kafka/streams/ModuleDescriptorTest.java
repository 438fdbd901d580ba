package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** The module reads the engine and Kafka (automatic modules), and exports only its API. */
class ModuleDescriptorTest {

    @Test
    void requiresTheEngineAndKafkaAndExportsOnlyItsApi() {
        Module module = SkipstoreStores.class.getModule();
        assertThat(module.isNamed()).as("tests must run on the module path").isTrue();
        ModuleDescriptor d = module.getDescriptor();
        assertThat(d.name()).isEqualTo("org.skipstore.kafka.streams");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.skipstore.pagestore", "kafka.streams", "kafka.clients");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("org.skipstore.kafka.streams");
        assertThat(module.isExported("org.skipstore.kafka.streams.internal")).isFalse();
        Module kafka = module.getLayer().findModule("kafka.streams").orElseThrow();
        assertThat(kafka.getDescriptor().isAutomatic()).isTrue();
        assertThat(module.canRead(kafka)).isTrue();
    }
}
