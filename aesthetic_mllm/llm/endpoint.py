"""An OpenAI-compatible chat endpoint through the ``openai`` client (base URL, model, API key, timeout)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..contract.prompts import Message

OPENAI_EXTRA = "pip install 'aesthetic_mllm[llm]'"


def api_base(base_url: str) -> str:
    """The endpoint's API root, ``{base}/v1`` (``base`` may already end in ``/v1``)."""
    base = base_url.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


def _openai() -> Any:
    try:
        import openai
    except ImportError as err:
        raise ImportError(f"an OpenAI-compatible endpoint needs the `openai` package: {OPENAI_EXTRA}") from err
    return openai


class ChatEndpoint:
    """``POST {base}/v1/chat/completions`` for ``model``; ``complete(messages, **options) -> text``.

    ``api_key=None`` sends no key at all (``$OPENAI_API_KEY`` is never read behind the caller's
    back, so a real key cannot leak to a third-party endpoint). Failures are not retried
    (``max_retries=0``): callers fall back or report at once. Every error is a ``RuntimeError``
    naming the URL and, for HTTP errors, the status and the start of the body.
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 max_retries: int = 0):
        openai = _openai()
        self.base_url, self.model, self.timeout = api_base(base_url), model, timeout
        self.url = self.base_url + "/chat/completions"
        self._errors = openai
        self._headers = {} if api_key else {"Authorization": openai.Omit()}  # no key: no Authorization header
        self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key or "unused", timeout=timeout,
                                     max_retries=max_retries)

    def complete(self, messages: Sequence[Message], **options: Any) -> str:
        """``choices[0].message.content`` of the reply; ``options`` (temperature, max_tokens, ...) go in the body."""
        errors = self._errors
        try:
            response = self._client.chat.completions.create(model=self.model, messages=list(messages),
                                                             extra_headers=self._headers, **options)
        except errors.APIStatusError as err:
            raise RuntimeError(f"{self.url} answered HTTP {err.status_code}: {err.response.text[:300]}") from err
        except errors.APITimeoutError as err:
            raise RuntimeError(f"{self.url} did not answer within {self.timeout} s") from err
        except errors.APIConnectionError as err:
            raise RuntimeError(f"cannot reach {self.url}: {err.__cause__ or err}") from err
        except ValueError as err:  # a 200 whose body is not JSON
            raise RuntimeError(f"{self.url} returned a body that is not JSON: {err}") from err
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            content = None
        if not isinstance(content, str):
            raise RuntimeError(f"{self.url} returned no choices[0].message.content: {str(response)[:300]}")
        return content
