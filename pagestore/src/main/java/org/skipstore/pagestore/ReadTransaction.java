package org.skipstore.pagestore;

import org.skipstore.pagestore.internal.ReadView;

/**
 * A read-only transaction on a snapshot: the state of the last commit when it began, unchanged
 * until it closes, whatever the writer does meanwhile. Never blocks and is never blocked by the
 * writer. Any number may be open at once, each used by one thread. While it is open the pages
 * of its snapshot are not reused, so close it soon: a long-open reader makes the file grow.
 *
 * <p>The segments it hands out are valid until it closes; afterwards they stay readable but may
 * show bytes of later commits, as their pages are reused: copy what you keep (the class comment
 * of {@link Transaction}, "Segment lifetime"; in
 * {@linkplain PageStoreBuilder#checkedSegments(boolean) checked mode} they die at close).
 */
public final class ReadTransaction extends Transaction {

    private final ReadView view;

    ReadTransaction(PageStore store, ReadView view) {
        super(store, view);
        this.view = view;
    }

    @Override
    public long id() {
        return view.txnId();
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            state = State.CLOSED;
            releaseSegments();
            view.close();
        }
    }
}
