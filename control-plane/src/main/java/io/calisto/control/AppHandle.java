package io.calisto.control;

import io.calisto.aeron.CoreSlot;
import io.calisto.core.AppRuntime;
import io.calisto.io.kernel.AppDispatch;

/**
 * One registered application as the control plane sees it: its IO-side dispatch state, and its runtime when the app
 * lives in this JVM ({@code null} for an app in another JVM). Delivery counts come from the core slots, which both
 * kinds of app write, so accounting is the same for both; as app-writable memory, each slot's count is believed only
 * within what the IO core dispatched to that core and did not count lost ({@link CoreSlot#believable}).
 */
public record AppHandle(int appId, String name, AppDispatch dispatch, AppRuntime runtime) {
    public boolean remote() { return runtime == null; }

    /** Packets the app's handlers got on {@code core}: what its slot says, bounded by what was dispatched there. */
    public long delivered(int core) {
        var slot = dispatch.slots[core];
        if (slot == null) return 0;
        long said = slot.delivered(); // before dispatched (see CoreSlot.believable)
        return CoreSlot.believable(said, dispatch.dispatched(core) - dispatch.appErrors(core));
    }

    /** What {@code core}'s slot says was delivered, unchecked: only to show beside {@link #delivered} when they differ. */
    public long deliveredAsWritten(int core) {
        var slot = dispatch.slots[core];
        return slot == null ? 0 : slot.delivered();
    }

    public long deliveredTotal() {
        long sum = 0;
        for (int core = 0; core < dispatch.slots.length; core++) sum += delivered(core);
        return sum;
    }
}
