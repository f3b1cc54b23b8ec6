package io.calisto.control;

import io.calisto.core.AppRuntime;
import io.calisto.io.kernel.AppDispatch;

/** One registered application as the control plane sees it: its IO-side dispatch state and its runtime. */
public record AppHandle(int appId, String name, AppDispatch dispatch, AppRuntime runtime) {}
