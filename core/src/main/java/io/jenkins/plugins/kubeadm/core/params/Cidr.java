package io.jenkins.plugins.kubeadm.core.params;

/** A validated IPv4 CIDR. Build one with {@link Validators#cidr(String, String)}. */
public record Cidr(long address, int prefix) {

    public long network() {
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return address & mask;
    }

    public long lastAddress() {
        return network() | ((1L << (32 - prefix)) - 1);
    }

    public boolean overlaps(Cidr other) {
        return network() <= other.lastAddress() && other.network() <= lastAddress();
    }

    @Override
    public String toString() {
        long n = network();
        return ((n >> 24) & 255) + "." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255) + "/" + prefix;
    }
}
