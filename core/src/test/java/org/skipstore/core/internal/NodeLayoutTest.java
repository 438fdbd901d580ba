package org.skipstore.core.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The node and tower layouts are declared once, and the module notes print it as the code has it. */
class NodeLayoutTest {

    @Test
    void everyOffsetComesFromTheLayoutOfItsHeight() {
        for (int h = 1; h <= Node.MAX_HEIGHT; h++) {
            long data = Node.layout(h).byteOffset(groupElement("data"));
            assertThat(Node.keyOffset(0, h)).isEqualTo(data);
            assertThat(Node.size(h, 0, 0)).isEqualTo(data);
            assertThat(Node.size(h, 3, 2)).isEqualTo((data + 5 + 7) & ~7L);
            assertThat(Node.wordOffset(0, 0)).isEqualTo(Node.layout(h).byteOffset(groupElement("next0")))
                    .isGreaterThanOrEqualTo(Node.HEADER.byteSize());
            if (h > 1) {
                assertThat(Node.TOWER).isEqualTo(Node.layout(h).byteOffset(groupElement("tower"))).isLessThan(data);
                StructLayout tower = Node.towerLayout(h);
                assertThat(Node.towerSize(h)).isEqualTo(tower.byteSize()).isEqualTo(8L * h);
                assertThat(Node.TOWER_NODE).isEqualTo(tower.byteOffset(groupElement("node")));
                for (int i = 1; i < h; i++) {
                    assertThat(Node.wordOffset(0, i))
                            .isEqualTo(tower.byteOffset(groupElement("next"), sequenceElement(i - 1)));
                }
            }
        }
        assertThat(Node.layout(1).byteSize()).isEqualTo(Node.HEADER.byteSize() + 8L);
        assertThat(Node.layout(2).byteSize()).isEqualTo(Node.HEADER.byteSize() + 16L);
    }

    @Test
    void theModuleNotesPrintTheLayoutAsTheCodeHasIt() throws IOException {
        String notes = Files.readString(Path.of("..", "module-info-notes.md"));
        int marker = notes.indexOf("<!-- Node.describe() -->");
        assertThat(marker).as("the marker of the node layout in module-info-notes.md").isPositive();
        int open = notes.indexOf("```\n", marker) + 4;
        int close = notes.indexOf("```", open);
        assertThat(notes.substring(open, close)).isEqualTo(Node.describe());
    }
}
