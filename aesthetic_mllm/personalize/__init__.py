"""Personalization: in-context scoring with a cached k-shot prefix, and task-vector LoRA combinations."""

from .icl import PersonalScorer
from .lora_bank import TaskVector, TaskVectorBank, load_task_vector
from .task_vectors import FitConfig, FitResult, fit_coefficients, personalize_task_vectors, train_task_vectors

__all__ = ["FitConfig", "FitResult", "PersonalScorer", "TaskVector", "TaskVectorBank", "fit_coefficients",
           "load_task_vector", "personalize_task_vectors", "train_task_vectors"]
