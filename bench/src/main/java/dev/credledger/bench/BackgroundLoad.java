package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.Command;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Commands at a fixed rate, straight to {@code credential-commands}, while something else is measured: allow-list
 * changes on accounts of their own (an address added, then removed), paced every millisecond. Stops when closed.
 */
final class BackgroundLoad implements AutoCloseable {

    private final Benchmarks b;
    private final double perSecond;
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private long startedAt;
    private long stoppedAt;

    BackgroundLoad(Benchmarks b, double perSecond) {
        this.b = b;
        this.perSecond = perSecond;
        this.thread = Thread.ofPlatform().name("bench-background").daemon().unstarted(this::send);
    }

    BackgroundLoad start() {
        startedAt = System.nanoTime();
        thread.start();
        return this;
    }

    private void send() {
        int accounts = 500;
        while (running) {
            long due = (long) ((System.nanoTime() - startedAt) / 1e9 * perSecond);
            while (sent.get() < due && running) {
                long n = sent.getAndIncrement();
                AccountId account = new AccountId("background-" + (n % accounts));
                long round = n / accounts;
                String cidr = "10." + (round / 2 / 250 % 250) + "." + (round / 2 % 250) + ".0/24";
                Command command = round % 2 == 0 ? new Command.AllowIp(b.meta(account), Environment.SANDBOX, cidr)
                        : new Command.RemoveIp(b.meta(account), Environment.SANDBOX, cidr);
                b.producer.send(b.record(command));
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The rate actually sent, commands per second. */
    double rate() {
        return sent.get() * 1e9 / ((stoppedAt == 0 ? System.nanoTime() : stoppedAt) - startedAt);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        stoppedAt = System.nanoTime();
    }
}
