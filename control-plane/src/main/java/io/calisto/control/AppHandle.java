package io.calisto.control;

import io.calisto.core.AppRuntime;
import io.calisto.io.kernel.AppDispatch;

/**
 * One registered application as the control plane sees it: its IO-side dispatch state, and its runtime when the app
 * lives in this JVM ({@code null} for an app in another JVM). Delivery counts come from the core slots, which both
 * kinds of app write, so accounting is the same for both.
 */
public record AppHandle(int appId, String name, AppDispatch dispatch, AppRuntime runtime) {
    public boolean remote() { return runtime == null; }

    /** Packets the app's handlers got on {@code core}. */
    public long delivered(int core) {
        var slot = dispatch.slots[core];
        return slot == null ? 0 : slot.delivered();
    }

    public long deliveredTotal() {
        long sum = 0;
        for (var slot : dispatch.slots) if (slot != null) sum += slot.delivered();
        return sum;
    }
}
