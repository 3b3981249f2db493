package dev.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream on a plain socket, for answers the simulator cannot give: each connection's request is read and
 * handed to {@link #answer}, on a thread of its own. Configured as the only endpoint for Flash and Pro.
 */
abstract class RawUpstream implements QuarkusTestResourceLifecycleManager {

    private ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>(); // added by its threads, closed by stop()

    /** Answers one request, whose body is given; the socket is closed afterwards unless this keeps it. */
    protected abstract void answer(Socket socket, String body) throws IOException;

    /** The endpoint's read timeout. */
    protected abstract String readTimeout();

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread t = new Thread(this::serve, getClass().getSimpleName());
        t.setDaemon(true);
        t.start();
        String p = "tollgate.upstream.endpoints.deepseek.";
        return Map.of("tollgate.simulator.enabled", "false",
                p + "base-url", "http://127.0.0.1:" + server.getLocalPort(),
                p + "api-key", "sk-raw",
                p + "models", "deepseek-v4-flash,deepseek-v4-pro",
                p + "read-timeout", readTimeout());
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> {
                    try {
                        answer(s, readRequest(s.getInputStream()));
                    } catch (IOException gone) {
                        // the gateway closed the connection
                    }
                }, getClass().getSimpleName() + "-call");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            head.write(b);
        }
        String length = head.toString(StandardCharsets.US_ASCII).lines()
                .filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst().orElseThrow();
        return new String(in.readNBytes(Integer.parseInt(length.substring(length.indexOf(':') + 1).trim())),
                StandardCharsets.UTF_8);
    }

    @Override
    public void stop() {
        try {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
