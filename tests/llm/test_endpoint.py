"""The LLM layer: the ``openai`` client against a real loopback chat server, its errors, its imports."""

from __future__ import annotations

import ast
import json
import sys
import time
from pathlib import Path

import pytest

from aesthetic_mllm.llm import ChatEndpoint, api_base

from ..chat_server import ChatHandler, serve

PACKAGE = Path(__file__).resolve().parents[2] / "aesthetic_mllm"
HI = [{"role": "user", "content": "hi"}]


class _Chat(ChatHandler):
    def reply(self, body):
        model = body["model"]
        if model == "broken":
            return 500, b"model exploded"
        if model == "garbled":
            return 200, b"<html>not json</html>"
        if model == "empty":
            return 200, json.dumps({"choices": []}).encode()
        if model == "slow":
            time.sleep(1.5)
        return 200, f"echo: {body['messages'][-1]['content']}"


@pytest.fixture()
def server():
    with serve(_Chat) as srv:
        yield f"http://127.0.0.1:{srv.server_address[1]}", srv.requests


def test_base_urls_are_normalised_to_v1():
    for base in ("http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/"):
        assert api_base(base) == "http://h:8000/v1"
    assert ChatEndpoint("http://h:8000", "m").url == "http://h:8000/v1/chat/completions"


def test_chat_completion_on_a_real_server(server):
    url, requests = server
    for base in (url, url + "/v1", url + "/"):
        reply = ChatEndpoint(base, "tiny-chat", api_key="secret").complete(HI, temperature=0.3, max_tokens=7)
        assert reply == "echo: hi"
    assert {r["path"] for r in requests} == {"/v1/chat/completions"} and len(requests) == 3
    first = requests[0]
    assert (first["model"], first["messages"], first["auth"]) == ("tiny-chat", HI, "Bearer secret")
    assert (first["temperature"], first["max_tokens"]) == (0.3, 7)


def test_without_a_key_no_key_is_sent_not_even_the_environment_one(server, monkeypatch):
    url, requests = server
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leave-this-machine")
    assert ChatEndpoint(url, "tiny-chat").complete(HI) == "echo: hi"
    assert requests[-1]["auth"] is None


def test_errors_name_the_url_and_what_went_wrong(server):
    url, requests = server
    with pytest.raises(RuntimeError, match=r"/v1/chat/completions answered HTTP 500: model exploded"):
        ChatEndpoint(url, "broken").complete(HI)
    assert len(requests) == 1  # no silent retries: a failure is reported at once
    with pytest.raises(RuntimeError, match="not JSON"):
        ChatEndpoint(url, "garbled").complete(HI)
    with pytest.raises(RuntimeError, match=r"no choices\[0\].message.content"):
        ChatEndpoint(url, "empty").complete(HI)
    with pytest.raises(RuntimeError, match="did not answer within 0.3 s"):
        ChatEndpoint(url, "slow", timeout=0.3).complete(HI)
    with pytest.raises(RuntimeError, match=r"cannot reach http://127.0.0.1:1/v1/chat/completions"):
        ChatEndpoint("http://127.0.0.1:1", "m").complete(HI)


def test_a_missing_openai_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)  # what `import openai` sees when it is not installed
    from aesthetic_mllm.data.cues import OpenAICompatibleCues, TemplateCues
    from aesthetic_mllm.personalize.interview import build_llm

    for configure in (lambda: ChatEndpoint("http://127.0.0.1:1", "m"),
                      lambda: OpenAICompatibleCues("http://127.0.0.1:1", "m"),
                      lambda: build_llm(endpoint="http://127.0.0.1:1", llm_model="m")):
        with pytest.raises(ImportError, match=r"needs the `openai` package: pip install 'aesthetic_mllm\[llm\]'"):
            configure()
    assert TemplateCues().rewrite("too dark") == "too dark"  # nothing else needs the package


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(modules imported at module level, modules imported anywhere) of a source file, absolute names."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    top, anywhere = set(), set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            names = {".".join(p for p in (base, node.module or "") if p)}
        else:
            continue
        anywhere |= names
        if node in tree.body:
            top |= names
    return top, anywhere


def test_the_llm_layer_imports_only_the_contract_and_openai_lazily():
    for path in sorted((PACKAGE / "llm").glob("*.py")):
        top, anywhere = _imports(path)
        ours = {m for m in anywhere if m.startswith("aesthetic_mllm")}
        assert all(m.startswith(("aesthetic_mllm.llm", "aesthetic_mllm.contract")) for m in ours), (path, ours)
        assert not top & {"openai", "torch", "transformers", "httpx", "urllib.request"}, (path, top)


def test_callers_reach_the_llm_layer_downward():
    assert not (PACKAGE / "llm_clients.py").exists()
    for path in (PACKAGE / "data" / "cues.py", PACKAGE / "personalize" / "interview" / "llm.py"):
        top, anywhere = _imports(path)
        assert "aesthetic_mllm.llm" in top, path
        assert not anywhere & {"urllib.request", "http.client", "httpx", "requests", "openai"}, path
