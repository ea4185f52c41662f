package io.aqueduct.core.precheck;

/**
 * One precheck outcome.
 *
 * @param fix what to do when it is not OK (empty when OK)
 */
public record Check(String name, Status status, String detail, String fix) {
    public enum Status { OK, WARN, FAIL }

    public static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    public static Check warn(String name, String detail, String fix) {
        return new Check(name, Status.WARN, detail, fix);
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }
}
