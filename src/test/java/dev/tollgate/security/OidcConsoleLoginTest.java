package dev.tollgate.security;

import static dev.tollgate.testing.KeycloakTokens.ACME_ADMIN;
import static dev.tollgate.testing.KeycloakTokens.ACME_FINANCE;
import static dev.tollgate.testing.KeycloakTokens.PLATFORM_ADMIN;
import static dev.tollgate.testing.KeycloakTokens.as;
import static dev.tollgate.testing.KeycloakTokens.discovery;
import static dev.tollgate.testing.KeycloakTokens.endSessions;
import static dev.tollgate.testing.KeycloakTokens.setTokenLifespan;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.tollgate.testing.KeycloakTokens.SampleUser;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The console in oidc mode: the authorization code flow against the real Keycloak, driven step by step
 * the way a browser would (redirect, Keycloak's login form, callback, session cookie).
 */
@QuarkusTest
@TestProfile(OidcModeProfile.class)
@QuarkusTestResource(PostgresResource.class)
class OidcConsoleLoginTest {

    private static final Pattern LOGIN_FORM_ACTION =
            Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"", Pattern.DOTALL);

    @TestHTTPResource("/console/tenants")
    URI tenantsPage;

    @TestHTTPResource("/console/logout")
    URI logout;

    @Test
    void consoleWithoutSessionRedirectsToKeycloakAuthorizationEndpoint() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> page = browser.get(tenantsPage);

        assertThat(page.statusCode(), is(302));
        URI login = location(page);
        assertThat(login.toString(), startsWith(discovery("authorization_endpoint") + "?"));
        Map<String, String> query = query(login);
        assertThat(query, hasEntry("response_type", "code"));
        assertThat(query, hasEntry("client_id", "tollgate-console"));
        assertThat(query, hasEntry("redirect_uri", tenantsPage.toString()));
        assertThat(query, hasKey("state"));
        assertThat(query.get("scope"), containsString("openid"));
    }

    @Test
    void logsInThroughKeycloakAndGetsASession() throws Exception {
        Browser browser = new Browser();
        URI keycloakLogin = location(browser.get(tenantsPage));

        URI callback = browser.logInAtKeycloak(keycloakLogin, ACME_ADMIN);
        assertThat(callback.toString(), startsWith(tenantsPage + "?"));
        assertThat(query(callback), hasKey("code"));

        HttpResponse<String> afterCallback = browser.get(callback);
        assertThat("Tollgate's answer to the callback", afterCallback.statusCode(), is(302));
        assertThat(location(afterCallback), equalTo(tenantsPage));
        // the session cookie holds the encrypted tokens; it may be split into chunks
        assertThat(browser.cookies.keySet(), hasItem(startsWith("q_session_console")));

        // With the session the page is no longer sent to Keycloak (nor refused): the login worked.
        HttpResponse<String> page = browser.get(tenantsPage);
        assertThat("status of " + tenantsPage + " with a session", page.statusCode(), is(200));
        assertThat("the page is the signed-in user's", page.body(), containsString("<span class=\"user\">acme.admin</span>"));

        // a link or script on another site does not end it: quarkus-oidc would, on any method
        HttpResponse<String> fromElsewhere = browser.send(HttpRequest.newBuilder(logout).GET()
                .header("Sec-Fetch-Site", "cross-site"));
        assertThat(fromElsewhere.statusCode(), is(403));
        assertThat(browser.get(tenantsPage).statusCode(), is(200));

        HttpResponse<String> loggedOut = browser.get(logout);
        assertThat(loggedOut.statusCode(), is(302));
        assertThat(location(loggedOut).toString(), startsWith(discovery("end_session_endpoint")));
    }

    /** Keycloak is where people are added in this mode: the console offers no local user who could never log in. */
    @Test
    void theUsersPageOffersNoNewLocalUser() throws Exception {
        Browser browser = new Browser();
        browser.get(browser.logInAtKeycloak(location(browser.get(tenantsPage)), PLATFORM_ADMIN));
        HttpResponse<String> users = browser.get(tenantsPage.resolve("/console/users"));
        assertThat(users.statusCode(), is(200));
        assertThat(users.body(), containsString("Add people to the Keycloak realm instead."));
        assertThat(users.body(), not(containsString("Create user")));
    }

    @Test
    void aTenantAdminWhoIsAlsoFinanceIsOfferedChangesOnTheirOwnTenantOnly() throws Exception {
        for (String slug : new String[] {"acme", "globex"}) {
            if (as(PLATFORM_ADMIN).get("/api/admin/tenants/" + slug).statusCode() == 404) {
                as(PLATFORM_ADMIN).body(Map.of("slug", slug, "displayName", "Tenant " + slug))
                        .post("/api/admin/tenants").then().statusCode(201);
            }
        }
        Browser browser = new Browser();
        browser.get(browser.logInAtKeycloak(location(browser.get(tenantsPage)), ACME_FINANCE));
        // finance lets them see globex; nothing lets them change it, so no button may say otherwise
        String globex = browser.get(tenantsPage.resolve("/console/tenants/globex")).body();
        assertThat(globex, containsString("<h1>Tenant globex"));
        for (String offer : new String[] {"/console/tenants/globex/edit", "/console/tenants/globex/keys/new",
                "/console/tenants/globex/alias-overrides/"}) {
            assertThat(globex, not(containsString(offer)));
        }
        String acme = browser.get(tenantsPage.resolve("/console/tenants/acme")).body();
        assertThat(acme, containsString("/console/tenants/acme/edit"));
        assertThat(acme, containsString("/console/tenants/acme/keys/new"));
    }

    /**
     * Keycloak's ID tokens live as long as its access tokens, 5 minutes in the shipped realm. A form sent after the
     * console's ID token expired must still be saved: the session is renewed with the refresh token, not by a
     * round trip through Keycloak that would turn the post into a GET of the same address and drop what was typed.
     */
    @Test
    void aFormSentAfterTheIdTokenExpiredIsSaved() throws Exception {
        String slug = uniqueSlug("late");
        as(PLATFORM_ADMIN).body(Map.of("slug", slug, "displayName", "Before")).post("/api/admin/tenants").then()
                .statusCode(201);
        Duration lifespan = Duration.ofSeconds(4);
        setTokenLifespan(lifespan);
        try {
            Browser browser = new Browser();
            URI callback = browser.logInAtKeycloak(location(browser.get(tenantsPage)), PLATFORM_ADMIN);
            HttpResponse<String> session = browser.get(callback);
            // the session cookie outlives the token, up to Keycloak's SSO idle timeout (30 minutes in the realm)
            long maxAge = session.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("q_session_console"))
                    .map(c -> Pattern.compile("Max-Age=(\\d+)").matcher(c)).filter(Matcher::find)
                    .mapToLong(m -> Long.parseLong(m.group(1))).min().orElse(0);
            assertThat("Max-Age of the console's session cookie", maxAge, greaterThanOrEqualTo(30 * 60L));

            URI edit = URI.create(tenantsPage + "/" + slug + "/edit");
            HttpResponse<String> form = browser.get(edit);
            assertThat(form.statusCode(), is(200));
            String csrf = field(form.body(), "csrf-token");
            String version = field(form.body(), "version");

            Thread.sleep(lifespan.plusSeconds(3).toMillis()); // filling in the form takes longer than the token lives

            HttpResponse<String> saved = browser.post(edit, "csrf-token=" + encode(csrf) + "&version=" + version
                    + "&displayName=After&currency=USD&timezone=UTC");
            assertThat("answer to the form, sent after the ID token expired: "
                    + saved.headers().firstValue("Location").orElse(""), saved.statusCode(), is(303));
            assertThat(location(saved).toString(), endsWith("/console/tenants/" + slug));

            // renewing never outlasts Keycloak: once an administrator ended the user's sessions there, the next
            // renewal fails and the console asks Keycloak to log in again
            endSessions(PLATFORM_ADMIN);
            Thread.sleep(lifespan.plusSeconds(3).toMillis());
            HttpResponse<String> ended = browser.get(tenantsPage);
            assertThat("the console once Keycloak's session ended", ended.statusCode(), is(302));
            assertThat(location(ended).toString(), startsWith(discovery("authorization_endpoint") + "?"));
            assertThat("Keycloak's answer: its login page, not a silent new session",
                    browser.get(location(ended)).statusCode(), is(200));
        } finally {
            setTokenLifespan(Duration.ofMinutes(5));
        }
        as(PLATFORM_ADMIN).get("/api/admin/tenants/" + slug).then().statusCode(200)
                .body("displayName", equalTo("After"));
    }

    private static String field(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
        assertThat("a field " + name + " on the page", m.find(), is(true));
        return m.group(1);
    }

    /** A cookie-keeping client that does not follow redirects, so each step can be checked. */
    private static final class Browser {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        // Keycloak and the app both run on localhost: one jar, like a browser's for one host.
        final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri).GET());
        }

        HttpResponse<String> post(URI uri, String form) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        /** Fills in Keycloak's login form; returns where Keycloak sends the browser back to. */
        URI logInAtKeycloak(URI loginPage, SampleUser user) throws IOException, InterruptedException {
            HttpResponse<String> form = get(loginPage);
            assertThat("Keycloak's login page", form.statusCode(), is(200));
            Matcher action = LOGIN_FORM_ACTION.matcher(form.body());
            assertThat("a login form on Keycloak's page", action.find(), is(true));
            String body = "username=" + encode(user.username()) + "&password=" + encode(user.password())
                    + "&credentialId=";
            HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat("Keycloak's answer to the login form", answer.statusCode(), is(302));
            return location(answer);
        }

        HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            if (!cookies.isEmpty()) {
                request.header("Cookie", cookies.entrySet().stream()
                        .map(c -> c.getKey() + "=" + c.getValue()).collect(Collectors.joining("; ")));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                boolean expired = setCookie.toLowerCase().contains("max-age=0") || value.isEmpty();
                if (expired) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        }
    }

    private static URI location(HttpResponse<?> response) {
        return URI.create(response.headers().firstValue("Location").orElseThrow(
                () -> new AssertionError("no Location header in the " + response.statusCode() + " answer from " + response.uri())));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
