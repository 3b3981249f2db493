package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The user_id the upstream sees: the tenant's own cache space, within DeepSeek's rule for user_id. */
class CacheScopeTest {

    @Test
    void noTwoTenantsOrUsersShareASpace() {
        String longest = "u".repeat(512);
        List<String> spaces = List.of(
                CacheScope.userId(4, null), CacheScope.userId(42, null),
                CacheScope.userId(4, "2"), CacheScope.userId(4, "2_x"), CacheScope.userId(42, "x"),
                CacheScope.userId(4, ""), CacheScope.userId(4, "t42"), CacheScope.userId(42, longest),
                CacheScope.userId(42, longest.substring(1)), CacheScope.userId(4, "-" + longest.substring(4)));
        Set<String> distinct = new HashSet<>(spaces);
        assertEquals(spaces.size(), distinct.size(), spaces.toString());
        spaces.forEach(space -> assertTrue(CacheScope.isValid(space), space + " keeps to DeepSeek's rule"));
        assertEquals("t42_alice", CacheScope.userId(42, "alice"));
        assertEquals("t42", CacheScope.userId(42, null));
    }

    @Test
    void anIdThePrefixWouldMakeTooLongIsDigested() {
        String id = "a".repeat(512);
        String space = CacheScope.userId(123, id);
        assertTrue(space.startsWith("t123-"), space);
        assertEquals(space, CacheScope.userId(123, id), "the same user gets the same space every call");
        assertFalse(space.equals(CacheScope.userId(123, "b".repeat(512))));
        assertEquals("t123_" + "a".repeat(507), CacheScope.userId(123, "a".repeat(507)), "512 characters: as sent");
    }

    @Test
    void onlyIdsDeepSeekTakesAreScoped() {
        assertTrue(CacheScope.isValid("end-user_42"));
        assertFalse(CacheScope.isValid("end.user"));
        assertFalse(CacheScope.isValid("x".repeat(513)));
    }
}
