"""The container files (Dockerfile, docker/entrypoint.sh, docker/*/docker-compose.yml,
docker/sentinel/sentinel.conf) against the seed's setups, without a docker engine.

The compose files are read with PyYAML (skipped when it is missing) and checked for the seed's
services, addresses, ports and commands; every command is put through the image's entry point
(with stub executables, so nothing starts) and then through pyredis's own command-line parser, so
a typo in a flag fails here rather than in a container. Where a docker client with compose exists,
`docker compose config -q` must accept both files (it needs no engine).
"""

import ipaddress
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pyredis.cli.server import build_config
from pyredis.config import Config, load_text
from pyredis.sentinel import config as sentinel_config
from pyredis.sentinel.machine import Sentinel

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
REPLICATION = ROOT / "docker" / "replication" / "docker-compose.yml"
SENTINEL = ROOT / "docker" / "sentinel" / "docker-compose.yml"
TEMPLATE = ROOT / "docker" / "sentinel" / "sentinel.conf"
COMPOSE_FILES = [REPLICATION, SENTINEL]

MASTER, REPLICAS = "redis-master", ("redis-slave1", "redis-slave2")
SENTINELS = ("redis-sentinel1", "redis-sentinel2", "redis-sentinel3")
# the seed's host ports: the servers on 6379-6381, the sentinels on 26379-26381
SERVER_PORTS = {"redis-master": 6379, "redis-slave1": 6380, "redis-slave2": 6381}
SENTINEL_PORTS = {"redis-sentinel1": 26379, "redis-sentinel2": 26380, "redis-sentinel3": 26381}


def load_compose(path: Path) -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def address(service: dict) -> str:
    (net,) = service["networks"].values()
    return net["ipv4_address"]


def subnet(doc: dict) -> ipaddress.IPv4Network:
    (net,) = doc["networks"].values()
    return ipaddress.ip_network(net["ipam"]["config"][0]["subnet"])


def published(service: dict) -> list[tuple[int, int]]:
    out = []
    for spec in service["ports"]:
        host, container = str(spec).split(":")
        out.append((int(host), int(container)))
    return out


def option(argv: list[str], name: str) -> list[str]:
    i = argv.index(name)
    return argv[i + 1:]


# ----- the entry point, run with stubs in place of pyredis-server / pyredis-sentinel

@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("pyredis-server", "pyredis-sentinel", "redis-cli"):
        stub = bin_dir / name
        stub.write_text('#!/bin/sh\nprintf "%s\\n" "$(basename "$0")" "$@"\n')
        stub.chmod(0o755)
    return bin_dir


def entry(stubs: Path, *argv: str, template: Path = TEMPLATE, conf: Path | None = None) -> list[str]:
    """Run docker/entrypoint.sh with ``argv``; returns the argv it executed."""
    env = dict(os.environ, PATH=f"{stubs}{os.pathsep}{os.environ['PATH']}",
               PYREDIS_SENTINEL_TEMPLATE=str(template))
    if conf is not None:
        env["PYREDIS_SENTINEL_CONF"] = str(conf)
    done = subprocess.run(["sh", str(ENTRYPOINT), *argv], env=env, capture_output=True, text=True,
                          timeout=10, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_entrypoint_runs_a_server_with_protected_mode_off(stubs):
    assert entry(stubs, "pyredis-server", "--port", "6379") == [
        "pyredis-server", "--protected-mode", "no", "--port", "6379"]


def test_entrypoint_keeps_options_after_the_config_file(stubs, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("port 7000\n")
    assert entry(stubs, "pyredis-server", str(conf), "--protected-mode", "yes") == [
        "pyredis-server", str(conf), "--protected-mode", "no", "--protected-mode", "yes"]


def test_entrypoint_leaves_protected_mode_to_a_config_file_that_sets_it(stubs, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("protected-mode yes\n")
    assert entry(stubs, "pyredis-server", str(conf)) == ["pyredis-server", str(conf)]


def test_entrypoint_treats_bare_options_as_a_server(stubs):
    assert entry(stubs, "--port", "7000") == ["pyredis-server", "--protected-mode", "no", "--port", "7000"]


def test_entrypoint_runs_other_commands_as_given(stubs):
    assert entry(stubs, "redis-cli", "-p", "26379", "info") == ["redis-cli", "-p", "26379", "info"]


def test_entrypoint_makes_each_sentinel_a_writable_config_from_a_read_only_template(stubs, tmp_path):
    template = tmp_path / "template.conf"
    template.write_text(TEMPLATE.read_text())
    template.chmod(0o444)
    conf = tmp_path / "data" / "sentinel.conf"
    assert entry(stubs, "pyredis-sentinel", str(conf), "--port", "26380", template=template) == [
        "pyredis-sentinel", str(conf), "--port", "26380"]
    assert conf.read_text() == TEMPLATE.read_text()
    assert conf.stat().st_mode & stat.S_IWUSR


def test_entrypoint_keeps_an_existing_sentinel_config(stubs, tmp_path):
    conf = tmp_path / "sentinel.conf"
    conf.write_text("sentinel monitor mymaster 10.0.0.9 6379 2\nsentinel current-epoch 3\n")
    entry(stubs, "pyredis-sentinel", str(conf))
    assert "current-epoch 3" in conf.read_text()


def test_entrypoint_gives_a_sentinel_without_config_the_default_path(stubs, tmp_path):
    conf = tmp_path / "default" / "sentinel.conf"
    assert entry(stubs, "pyredis-sentinel", "--port", "26381", conf=conf) == [
        "pyredis-sentinel", str(conf), "--port", "26381"]
    assert conf.exists()


def test_entrypoint_turns_server_sentinel_flag_into_pyredis_sentinel(stubs, tmp_path):
    conf = tmp_path / "s.conf"
    assert entry(stubs, "pyredis-server", str(conf), "--sentinel", "--port", "26379") == [
        "pyredis-sentinel", str(conf), "--port", "26379"]


# ----- the compose files against the seed

def test_replication_setup_is_the_seeds_master_and_two_replicas():
    services = load_compose(REPLICATION)["services"]
    assert set(services) == {MASTER, *REPLICAS}


def test_sentinel_setup_adds_three_sentinels():
    services = load_compose(SENTINEL)["services"]
    assert set(services) == {MASTER, *REPLICAS, *SENTINELS}


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_container_names_are_the_seeds(path):
    for name, service in load_compose(path)["services"].items():
        assert service["container_name"] == name


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_every_service_runs_the_pyredis_image(path):
    for service in load_compose(path)["services"].values():
        assert service["image"] == "pyredis:latest"
        assert service["build"]["dockerfile"] == "Dockerfile"
        assert (path.parent / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == DOCKERFILE


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_addresses_are_fixed_unique_and_in_the_seeds_subnet(path):
    doc = load_compose(path)
    net = subnet(doc)
    assert net == ipaddress.ip_network("172.30.0.0/24")
    addrs = [address(s) for s in doc["services"].values()]
    assert len(set(addrs)) == len(addrs)
    assert all(ipaddress.ip_address(a) in net for a in addrs)
    assert address(doc["services"][MASTER]) == "172.30.0.2"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_servers_listen_on_6379_published_as_in_the_seed(path):
    services = load_compose(path)["services"]
    for name, host_port in SERVER_PORTS.items():
        argv = services[name]["command"]
        assert argv[0] == "pyredis-server"
        assert option(argv, "--port")[0] == "6379"
        assert published(services[name]) == [(host_port, 6379)]


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_only_the_replicas_follow_the_masters_address(path):
    services = load_compose(path)["services"]
    master_ip = address(services[MASTER])
    assert "--replicaof" not in services[MASTER]["command"]
    for name in REPLICAS:
        assert option(services[name]["command"], "--replicaof")[:2] == [master_ip, "6379"]
        assert MASTER in services[name]["depends_on"]


def test_both_setups_share_the_same_servers():
    replication = load_compose(REPLICATION)["services"]
    sentinel = load_compose(SENTINEL)["services"]
    for name in (MASTER, *REPLICAS):
        assert sentinel[name] == replication[name]


def test_sentinels_listen_on_their_own_published_port():
    services = load_compose(SENTINEL)["services"]
    for name, port in SENTINEL_PORTS.items():
        argv = services[name]["command"]
        assert argv[0] == "pyredis-sentinel"
        assert option(argv, "--port")[0] == str(port)
        assert published(services[name]) == [(port, port)]
        assert set(services[name]["depends_on"]) == {MASTER, *REPLICAS}


def test_sentinels_do_not_share_a_mounted_config():
    services = load_compose(SENTINEL)["services"]
    for name in SENTINELS:
        conf = services[name]["command"][1]
        mounts = [v.split(":") for v in services[name]["volumes"]]
        # the config a sentinel rewrites lives in its own container, never in a mount
        assert all(not conf.startswith(target) and not target.startswith(os.path.dirname(conf))
                   for _, target, *_ in mounts)
        # the one shared file is the template, read-only, at the path the entry point copies from
        assert mounts == [["./sentinel.conf", "/etc/pyredis/sentinel.conf", "ro"]]
        assert (SENTINEL.parent / mounts[0][0]).resolve() == TEMPLATE


def test_template_monitors_the_masters_address_with_quorum_2():
    config = Config()
    load_text(config, TEMPLATE.read_text(), str(TEMPLATE.parent))
    machine = Sentinel("0" * 40, 26379)
    sentinel_config.apply_lines(machine, config.sentinel_lines, 0)
    master = machine.masters["mymaster"]
    services = load_compose(SENTINEL)["services"]
    assert (master.ip, master.port, master.quorum) == (address(services[MASTER]), 6379, 2)
    assert (master.down_after_period, master.failover_timeout, master.parallel_syncs) == (5000, 60000, 1)
    assert config["dir"] == "/data"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_every_command_is_accepted_by_pyredis_after_the_entrypoint(path, stubs, tmp_path):
    for name, service in load_compose(path)["services"].items():
        argv = list(service["command"])
        conf = tmp_path / name / "sentinel.conf"
        if argv[0] == "pyredis-sentinel":
            argv[1] = str(conf)     # /data/sentinel.conf, inside the test's own directory
        ran = entry(stubs, *argv)
        sentinel = ran[0] == "pyredis-sentinel"
        config, sentinel_mode = build_config(ran[1:] + (["--sentinel"] if sentinel else []))
        assert sentinel_mode is sentinel
        assert config["port"] == int(option(argv, "--port")[0])
        if sentinel:
            assert config.config_file == str(conf)
            assert [args[0] for args in config.sentinel_lines][:1] == ["monitor"]
        else:
            assert config["protected-mode"] is False
            if "--replicaof" in argv:
                assert config["replicaof"] == ("172.30.0.2", 6379)


def test_dockerfile_installs_pyredis_on_python_311_slim():
    text = DOCKERFILE.read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    assert any("pip install /tmp/pyredis-src" in line for line in lines)
    assert "EXPOSE 6379 26379" in lines
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in lines
    assert "COPY docker/sentinel/sentinel.conf /etc/pyredis/sentinel.conf" in lines
    # the build context keeps what the Dockerfile copies
    ignore = (ROOT / ".dockerignore").read_text().split()
    for kept in ("!pyproject.toml", "!src", "!docker/entrypoint.sh", "!docker/sentinel/sentinel.conf"):
        assert kept in ignore


# ----- docker compose config, where a client is there

def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30,
                               check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone is not None:
        return [standalone]
    if docker is None:
        pytest.skip("no docker client on this machine")
    pytest.skip("the docker client has no compose plugin (and no docker-compose is installed)")


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_docker_compose_config_accepts_the_file(path):
    command = compose_command()
    done = subprocess.run([*command, "-f", str(path), "config", "-q"], capture_output=True, text=True,
                          timeout=60, check=False, cwd=path.parent)
    if done.returncode != 0 and any(s in done.stderr.lower() for s in (
            "cannot connect to the docker daemon", "is the docker daemon running", "error while fetching server")):
        pytest.skip(f"{' '.join(command)} config needs a docker engine here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
