"""The nginx configuration and its rendering for the local cluster (scaling/cluster.py)."""

from __future__ import annotations

import re
import subprocess

import pytest

from scaling.cluster import NGINX_SITE, find_nginx, render_nginx_site


def _upstream(text: str, name: str) -> str:
    match = re.search(r"upstream " + name + r" \{(.*?)\n\}", text, re.S)
    assert match is not None
    return match.group(1)


def test_shipped_config_balances_rest_round_robin_and_socketio_sticky() -> None:
    text = NGINX_SITE.read_text(encoding="utf-8")
    rasa = _upstream(text, "rasa")
    sticky = _upstream(text, "rasa_socketio")
    assert "hash" not in rasa and "ip_hash" not in rasa and "least_conn" not in rasa
    assert "hash $remote_addr consistent;" in sticky
    for block in (rasa, sticky, _upstream(text, "actions")):
        servers = re.findall(r"server \S+ ([^;]*);", block)
        assert len(servers) >= 2 and all("max_fails=" in params for params in servers)
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert re.search(r"client_max_body_size \d+k;", text)
    assert "non_idempotent" not in text  # a POST an instance received is never sent twice by nginx


def test_render_replaces_only_servers_and_listen_ports() -> None:
    text = NGINX_SITE.read_text(encoding="utf-8")
    rendered = render_nginx_site(
        text,
        {"rasa": ["127.0.0.1:1", "127.0.0.1:2"], "rasa_socketio": ["127.0.0.1:1"],
         "actions": ["127.0.0.1:3"]},
        [9000, 9001],
    )
    assert re.findall(r"server (\S+) max_fails=1 fail_timeout=10s;", _upstream(rendered, "rasa")) == [
        "127.0.0.1:1", "127.0.0.1:2"
    ]
    assert "hash $remote_addr consistent;" in _upstream(rendered, "rasa_socketio")
    assert re.findall(r"listen (\S+);", rendered) == ["127.0.0.1:9000", "127.0.0.1:9001"]
    assert "rasa-1:5005" not in rendered
    # everything else is the shipped file
    def strip(t: str) -> str:
        return re.sub(r"\n\s*(server \S+[^;]*;|listen \S+;)", "", t)

    assert strip(rendered) == strip(text)


def test_render_refuses_an_unknown_upstream() -> None:
    with pytest.raises(ValueError):
        render_nginx_site(NGINX_SITE.read_text(encoding="utf-8"), {"nope": ["127.0.0.1:1"]}, [1, 2])


def test_nginx_accepts_the_shipped_config(tmp_path) -> None:  # noqa: ANN001
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make test-scale installs it)")
    site = tmp_path / "site.conf"
    site.write_text(render_nginx_site(
        NGINX_SITE.read_text(encoding="utf-8"),
        {"rasa": ["127.0.0.1:1"], "rasa_socketio": ["127.0.0.1:1"], "actions": ["127.0.0.1:2"]},
        [18080, 18081],
    ))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; include {site}; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
