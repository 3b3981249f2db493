package dev.tollgate.simulator;

import java.util.List;

/** The models the real service serves today. The retired deepseek-chat/deepseek-reasoner are not among them. */
final class Models {

    static final String FLASH = "deepseek-v4-flash";
    static final String PRO = "deepseek-v4-pro";
    static final List<String> ALL = List.of(FLASH, PRO);

    /** Both models accept up to 1M tokens of context and 384K of output. */
    static final int CONTEXT_TOKENS = 1_048_576;
    static final int MAX_OUTPUT_TOKENS = 393_216;

    private Models() {
    }

    static boolean exists(String id) {
        return ALL.contains(id);
    }

    /** A fault plan's model: one the simulator serves, or a typo would silently plan nothing. */
    static String served(String id) {
        if (!exists(id)) {
            throw new IllegalArgumentException("No model '" + id + "' here; the simulator serves "
                    + String.join(" and ", ALL));
        }
        return id;
    }
}
