"""Interview-based personalization (Abe et al.): interview -> aesthetic-value profile -> fused predictor.

An interviewer LLM runs a semi-structured interview (:class:`Interviewer`), an analyzer turns the
transcript into a validated JSON profile (:class:`ProfileAnalyzer`, falling back to a deterministic
lexicon analyzer), profiles are stored one file per user (:func:`save_profile`), and
:class:`FusedPredictor` fits a user's few ratings on MFA features plus description/profile
similarities. The participant's answers are data, never instructions (see :mod:`.prompts`).

Everything outside this package (benchmarks, the web demo, ...) uses the names below; only the
command line imports :mod:`.cli`. See README.md beside this file.
"""

from importlib import import_module
from typing import Any

# imported on first use, so that the command line builds its parser without torch
_LAZY = {"Analysis": ".analyzer", "ProfileAnalyzer": ".analyzer", "lexicon_profile": ".analyzer",
         "Interviewer": ".interviewer", "Transcript": ".interviewer", "Turn": ".interviewer",
         "load_answers": ".interviewer", "scripted": ".interviewer", "ChatLLM": ".llm",
         "HFCausalLM": ".llm", "LLMError": ".llm", "ModelLLM": ".llm", "OpenAICompatibleLLM": ".llm",
         "build_llm": ".llm", "evaluate_world": ".evaluate", "FusedPredictor": ".predictor", "ImageFeatures": ".predictor",
         "MiniLMEncoder": ".predictor", "image_features": ".predictor", "PROFILE_SCHEMA": ".profile",
         "Profile": ".profile", "ProfileItem": ".profile", "ProfileValidationError": ".profile",
         "validate_profile": ".profile", "CLOSING_QUESTION": ".questions", "QUESTION_BANK": ".questions",
         "Question": ".questions", "InvalidUserNameError": ".store", "check_user_name": ".store",
         "load_profile": ".store", "profile_path": ".store", "save_profile": ".store"}

__all__ = [
    "CLOSING_QUESTION", "PROFILE_SCHEMA", "QUESTION_BANK", "Analysis", "ChatLLM", "FusedPredictor", "HFCausalLM",
    "ImageFeatures", "InvalidUserNameError", "Interviewer", "LLMError", "MiniLMEncoder", "ModelLLM",
    "OpenAICompatibleLLM", "Profile", "ProfileAnalyzer", "ProfileItem", "ProfileValidationError", "Question",
    "Transcript", "Turn", "build_llm", "check_user_name", "evaluate_world", "image_features", "lexicon_profile", "load_answers",
    "load_profile", "profile_path", "save_profile", "scripted", "validate_profile",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
