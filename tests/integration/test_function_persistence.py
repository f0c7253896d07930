"""FUNCTION libraries travel with the dataset: RDB save/load, AOF base, full resync, and real Redis."""

import shutil

from ..support import wait_for

LIB = ("#!lua name=mylib\nredis.register_function{function_name='hello', "
       "callback=function(keys, args) return 'hi ' .. args[1] end, flags={'no-writes'}}")


def _fcall(client) -> bytes:
    return client.fcall("hello", 0, "you")


def test_functions_survive_save_and_restart(make_server):
    srv = make_server()
    c = srv.client()
    c.function_load(LIB)
    c.save()
    srv.stop()
    srv.start()
    assert _fcall(srv.client()) == b"hi you"


def test_functions_reach_a_replica_by_full_resync(make_server):
    master = make_server(["--repl-diskless-sync-delay", "0"])
    master.client().function_load(LIB)
    replica = make_server(["--replicaof", "127.0.0.1", str(master.port)])
    c = replica.client()
    wait_for(lambda: c.info("replication").get("master_link_status") == "up", 20)
    assert _fcall(c) == b"hi you"


def test_functions_in_an_rdb_written_by_real_redis_load_in_pyredis(make_server):
    real = make_server(real=True)
    rc = real.client()
    rc.function_load(LIB)
    rc.save()
    ours = make_server()
    ours.stop()
    shutil.copy(f"{real.dir}/dump.rdb", f"{ours.dir}/dump.rdb")
    ours.start()
    assert _fcall(ours.client()) == b"hi you"


def test_functions_in_an_rdb_written_by_pyredis_load_in_real_redis(make_server):
    ours = make_server()
    ours.client().function_load(LIB)
    ours.client().save()
    real = make_server(real=True)
    real.stop()
    shutil.copy(f"{ours.dir}/dump.rdb", f"{real.dir}/dump.rdb")
    real.start()
    assert _fcall(real.client()) == b"hi you"


def test_functions_survive_an_aof_restart(make_server):
    srv = make_server(["--appendonly", "yes"])
    c = srv.client()
    c.function_load(LIB)
    c.bgrewriteaof()
    wait_for(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0, 20)
    srv.stop()
    srv.start()
    assert _fcall(srv.client()) == b"hi you"
