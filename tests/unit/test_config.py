"""pyredis/config.py: redis.conf parsing as Redis does it, without starting a server.

Quoting follows sdssplitargs, ``include`` inlines files (globs sorted), the last occurrence of a
directive wins except ``save``, whose lines accumulate, memory values take Redis's units
(1k = 1000, 1kb = 1024), old names (slaveof, hash-max-ziplist-*) are aliases, and a bad line
stops start-up with Redis's ``*** FATAL CONFIG FILE ERROR ***`` report.
"""

import pytest

from pyredis.config import Config, ConfigError, FatalConfigError, load_text, options_to_text, parse_memory


def load(text: str, base: str = ".") -> Config:
    config = Config()
    load_text(config, text, base)
    return config


def test_double_quoted_argument_keeps_spaces():
    assert load('requirepass "a b c"\n')["requirepass"] == "a b c"


def test_single_quoted_argument_and_escaped_quote():
    assert load("requirepass 'it\\'s'\n")["requirepass"] == "it's"


def test_escapes_in_double_quotes():
    assert load('requirepass "x\\ty\\x41"\n')["requirepass"] == "x\tyA"


def test_comments_and_blank_lines_are_ignored():
    assert load("# port 1\n\n   \nport 7000\n")["port"] == 7000


def test_directive_names_are_case_insensitive():
    assert load("PORT 7001\nMaxMemory 1mb\n")["maxmemory"] == 1024 * 1024


def test_last_occurrence_wins():
    assert load("port 7000\nport 7001\n")["port"] == 7001


def test_save_lines_accumulate():
    assert load("save 900 1\nsave 300 10\n")["save"] == [(900, 1), (300, 10)]


def test_save_with_several_points_on_one_line():
    assert load("save 900 1 300 10\n")["save"] == [(900, 1), (300, 10)]


def test_save_empty_string_disables_snapshots():
    assert load('save ""\n')["save"] == []


def test_first_save_line_replaces_the_default():
    assert load("save 60 5\n")["save"] == [(60, 5)]


@pytest.mark.parametrize("text,value", [
    ("1", 1), ("1b", 1), ("1k", 1000), ("1kb", 1024), ("1m", 1000 ** 2), ("1mb", 1024 ** 2),
    ("1g", 1000 ** 3), ("1gb", 1024 ** 3), ("2GB", 2 * 1024 ** 3), ("3Mb", 3 * 1024 ** 2),
])
def test_memory_units(text, value):
    assert parse_memory(text) == value


@pytest.mark.parametrize("text", ["", "k", "1xb", "1.5mb", "abc"])
def test_bad_memory_value(text):
    with pytest.raises(ConfigError, match="argument must be a memory value"):
        parse_memory(text)


def test_slaveof_is_an_alias_of_replicaof():
    assert load("slaveof 127.0.0.1 6380\n")["replicaof"] == ("127.0.0.1", 6380)


def test_ziplist_names_are_aliases_of_listpack():
    config = load("hash-max-ziplist-entries 7\nzset-max-ziplist-value 9\n")
    assert config["hash-max-listpack-entries"] == 7
    assert config["zset-max-listpack-value"] == 9


def test_slave_read_only_alias():
    assert load("slave-read-only no\n")["replica-read-only"] is False


def test_include_inlines_a_file(tmp_path):
    (tmp_path / "extra.conf").write_text("port 7100\n")
    assert load(f"include {tmp_path}/extra.conf\n")["port"] == 7100


def test_include_glob_reads_files_in_sorted_order(tmp_path):
    (tmp_path / "b.conf").write_text("port 7002\n")
    (tmp_path / "a.conf").write_text("port 7001\nmaxmemory 5mb\n")
    config = load(f"include {tmp_path}/*.conf\n")
    assert config["port"] == 7002 and config["maxmemory"] == 5 * 1024 * 1024


def test_directive_after_include_overrides_it(tmp_path):
    (tmp_path / "extra.conf").write_text("port 7100\n")
    assert load(f"include {tmp_path}/extra.conf\nport 7200\n")["port"] == 7200


def test_save_accumulates_across_includes(tmp_path):
    (tmp_path / "extra.conf").write_text("save 100 1\n")
    assert load(f"save 900 1\ninclude {tmp_path}/extra.conf\n")["save"] == [(900, 1), (100, 1)]


def test_fatal_report_has_redis_shape():
    with pytest.raises(FatalConfigError) as info:
        load("port 7000\n\nappendonly maybe\n")
    assert str(info.value) == ("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                               "Reading the configuration file, at line 3\n"
                               ">>> 'appendonly maybe'\n"
                               "argument must be 'yes' or 'no'\n")


@pytest.mark.parametrize("line,reason", [
    ("nosuchdirective 1", "Bad directive or wrong number of arguments"),
    ("port abc", "argument couldn't be parsed into an integer"),
    ("port 70000", "argument must be between 0 and 65535 inclusive"),
    ("maxmemory 10xb", "argument must be a memory value"),
    ("loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning"),
    ("save 10", "Invalid save parameters"),
    ('bind "127.0.0.1', "Unbalanced quotes in configuration line"),
    ("hz 1 2", "wrong number of arguments"),
    ("port", "wrong number of arguments"),
    ("databases 0", "argument must be between 1 and 2147483647 inclusive"),
    ("client-output-buffer-limit foo 1 2 3", "Invalid client class specified in buffer limit configuration."),
])
def test_bad_line_reason_is_redis_text(line, reason):
    with pytest.raises(FatalConfigError) as info:
        load(line + "\n")
    assert str(info.value).endswith(f">>> '{line}'\n{reason}\n")


def test_options_become_config_lines_quoted_like_redis():
    assert options_to_text(["--port", "7000", "--save", "900", "1"]) == 'port "7000"\nsave "900" "1"'


def test_options_with_empty_argument():
    assert load(options_to_text(["--save", ""]))["save"] == []
