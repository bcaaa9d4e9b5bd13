package dev.kbsync.testing;

class ProcessServerIT extends RedisServerContract {
    @Override
    RedisRuntime runtime() {
        return RedisRuntime.PROCESS;
    }
}
