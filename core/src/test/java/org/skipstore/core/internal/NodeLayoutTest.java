package org.skipstore.core.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The node layout is declared once, and the module notes print it as the code has it. */
class NodeLayoutTest {

    @Test
    void everyOffsetComesFromTheLayoutOfItsHeight() {
        for (int h = 1; h <= Node.MAX_HEIGHT; h++) {
            long data = Node.layout(h).byteOffset(groupElement("data"));
            assertThat(Node.keyOffset(0, h)).isEqualTo(data);
            assertThat(Node.size(h, 0, 0)).isEqualTo(data);
            assertThat(Node.size(h, 3, 2)).isEqualTo((data + 5 + 7) & ~7L);
            for (int i = 0; i < h; i++) {
                assertThat(Node.nextOffset(0, i)).isLessThan(data).isGreaterThanOrEqualTo(Node.HEADER.byteSize());
            }
        }
        assertThat(Node.layout(Node.MAX_HEIGHT).byteSize()).isEqualTo(Node.HEADER.byteSize() + 8L * Node.MAX_HEIGHT);
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
