"""The chat model for LLM answering, built from Settings.

Providers: ``openai`` (any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, OpenAI), ``ollama``,
and ``gguf`` (a local GGUF file run in-process by llama-cpp-python). Their packages are optional extras and
are imported only when that provider is built.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError, MissingDependencyError

LLM_EXTRA = "pip install 'programme-assistant[llm]'"
GGUF_EXTRA = "pip install 'programme-assistant[gguf]'"
# Context window for an in-process GGUF model, in tokens: the prompt (~300), eight passages of ~900
# characters (~1,800) and an answer of up to PA_LLM_MAX_TOKENS fit; llama.cpp's default of 512 does not.
GGUF_CONTEXT_TOKENS = 4096
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings.llm_provider`` names, configured from the ``PA_LLM_*`` settings."""
    if settings.llm_provider == "openai":
        return _openai(settings)
    if settings.llm_provider == "ollama":
        return _ollama(settings)
    if settings.llm_provider == "gguf":
        return _gguf(settings)
    raise ConfigError(f"PA_LLM_PROVIDER={settings.llm_provider!r} builds no chat model",
                      "set PA_LLM_PROVIDER to openai, ollama or gguf")


def _openai(settings: Settings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as err:
        raise MissingDependencyError("PA_LLM_PROVIDER=openai needs the langchain-openai package",
                                     LLM_EXTRA) from err
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model or "", api_key=api_key,
                      temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens,
                      timeout=settings.llm_timeout_s, streaming=True)


def _ollama(settings: Settings) -> BaseChatModel:
    try:
        from langchain_ollama import ChatOllama
    except ImportError as err:
        raise MissingDependencyError("PA_LLM_PROVIDER=ollama needs the langchain-ollama package",
                                     LLM_EXTRA) from err
    return ChatOllama(model=settings.llm_model or "", base_url=settings.llm_base_url,
                      temperature=settings.llm_temperature, num_predict=settings.llm_max_tokens,
                      client_kwargs={"timeout": settings.llm_timeout_s})


def _gguf(settings: Settings) -> BaseChatModel:
    try:
        from llama_cpp import Llama
    except ImportError as err:
        raise MissingDependencyError("PA_LLM_PROVIDER=gguf needs the llama-cpp-python package",
                                     GGUF_EXTRA) from err
    path = settings.llm_gguf_path
    if path is None or not path.is_file():
        raise ConfigError(f"PA_LLM_GGUF_PATH={path} is not a file",
                          "point PA_LLM_GGUF_PATH at a .gguf model file")
    try:
        llama = Llama(model_path=str(path), n_ctx=GGUF_CONTEXT_TOKENS, n_batch=settings.llm_gguf_n_batch,
                      n_ubatch=settings.gguf_micro_batch(), verbose=False)
    except (ValueError, RuntimeError) as err:
        raise ConfigError(f"PA_LLM_GGUF_PATH={path} could not be loaded: {err}",
                          "point PA_LLM_GGUF_PATH at a GGUF model file llama.cpp supports") from err
    return LlamaCppChat(llama=llama, model_name=settings.llm_model or path.stem,
                        temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)


class LlamaCppChat(BaseChatModel):
    """A chat model over an in-process ``llama_cpp.Llama`` (its ``create_chat_completion``).

    The model applies the chat template stored in the GGUF file. One request runs at a time: a ``Llama``
    holds one context and is not safe to share between threads.
    """

    llama: Any
    model_name: str
    temperature: float = 0.0
    max_tokens: int = 512
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            "temperature": self.temperature, "max_tokens": self.max_tokens, "stop": stop or [],
        }

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self._lock:
            response = self.llama.create_chat_completion(**self._request(messages, stop))
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"model_name": self.model_name, "finish_reason": choice.get("finish_reason")},
            usage_metadata=UsageMetadata(input_tokens=usage.get("prompt_tokens", 0),
                                         output_tokens=usage.get("completion_tokens", 0),
                                         total_tokens=usage.get("total_tokens", 0)),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            for part in self.llama.create_chat_completion(**self._request(messages, stop), stream=True):
                choice = part["choices"][0]
                piece = choice.get("delta", {}).get("content") or ""
                finish = choice.get("finish_reason")
                if not piece and not finish:
                    continue
                metadata = {"model_name": self.model_name, "finish_reason": finish} if finish else {}
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece, response_metadata=metadata))
                if run_manager and piece:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
