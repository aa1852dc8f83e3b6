"""Make a tiny trained DeepLabCut project: run by the DeepLabCut interpreter of the integration test.

Usage: ``python dlc_tiny_project.py REQUEST.json``, where the request names the working folder, the training
video, its true tracks (``bodyparts``, ``x`` and ``y`` as frames x parts, in pixels) and the training
settings. It needs only DeepLabCut (and what DeepLabCut brings: PyTorch, pandas, PyYAML), not behavlab.

Steps: a new single-animal project with the video, frames picked by DeepLabCut (``extract_frames``,
uniform), labelled from the true tracks (the file a labeller would save, ``CollectedData_<scorer>.h5``), a
PyTorch training set, and training on the CPU from **random weights**: DeepLabCut builds the backbone with
ImageNet weights fetched through timm unless training starts from a snapshot, so the script saves a
snapshot of a randomly initialised model (``PoseModel.build(..., pretrained_backbone=False)``) and trains
from it (``train_network(snapshot_path=...)``). Nothing is downloaded (``HF_HUB_OFFLINE=1``). Python's,
NumPy's and PyTorch's generators are seeded first (DeepLabCut seeds its training loop, not the train/test
split or our initial weights), so a run trains the same network each time. Prints the project's
``config.yaml`` path as its last line.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"

import deeplabcut
import numpy as np
import pandas as pd
import torch
import yaml
from deeplabcut.pose_estimation_pytorch.models import PoseModel
from deeplabcut.utils.auxiliaryfunctions import edit_config

EXPERIMENTER = "behavlab"
SEED = 0


def label_frames(config: Path, video: Path, bodyparts: list[str], x: np.ndarray, y: np.ndarray) -> int:
    """Write the true positions of every extracted frame as the project's labels; the number labelled."""
    folder = config.parent / "labeled-data" / video.stem
    images = sorted(folder.glob("img*.png"))
    rows = []
    for image in images:
        frame = int(re.fullmatch(r"img(\d+)\.png", image.name).group(1))  # type: ignore[union-attr]
        rows.append((frame, image.name))
    columns = pd.MultiIndex.from_product(
        [[EXPERIMENTER], bodyparts, ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    index = pd.MultiIndex.from_tuples([("labeled-data", video.stem, name) for _, name in rows])
    values = np.stack([np.column_stack([x[f], y[f]]).ravel() for f, _ in rows])
    table = pd.DataFrame(values, index=index, columns=columns)
    table.to_hdf(folder / f"CollectedData_{EXPERIMENTER}.h5", key="df_with_missing", mode="w")
    table.to_csv(folder / f"CollectedData_{EXPERIMENTER}.csv")
    return len(rows)


def random_init_snapshot(model_folder: Path) -> Path:
    """A snapshot of the shuffle's model with random weights (no ImageNet download), to train from."""
    pytorch_config = yaml.safe_load((model_folder / "pytorch_config.yaml").read_text())
    model = PoseModel.build(pytorch_config["model"], pretrained_backbone=False)
    path = model_folder / "random-init.pt"
    torch.save({"model": model.state_dict(), "metadata": {"epoch": 0}}, path)
    return path


def main(request_path: str) -> None:
    """Create, label and train the project described by the request file."""
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    request = json.loads(Path(request_path).read_text())
    video = Path(request["video"])
    bodyparts = list(request["bodyparts"])
    x, y = np.asarray(request["x"], dtype=float), np.asarray(request["y"], dtype=float)
    config = Path(
        deeplabcut.create_new_project(
            "tiny", EXPERIMENTER, [str(video)], working_directory=request["workdir"], copy_videos=True
        )
    )
    edit_config(
        str(config),
        {
            "bodyparts": bodyparts,
            "skeleton": [],
            "numframes2pick": int(request["frames"]),
            "TrainingFraction": [float(request["train_fraction"])],
            "engine": "pytorch",
        },
    )
    deeplabcut.extract_frames(str(config), mode="automatic", algo="uniform", userfeedback=False, crop=False)
    labelled = label_frames(config, video, bodyparts, x, y)
    print(f"labelled {labelled} frames")
    deeplabcut.create_training_dataset(
        str(config), num_shuffles=1, net_type=request["net_type"], engine=deeplabcut.Engine.PYTORCH
    )
    [model_folder] = (config.parent / "dlc-models-pytorch").glob("iteration-*/*shuffle1/train")
    init = random_init_snapshot(model_folder)
    deeplabcut.train_network(
        str(config),
        shuffle=1,
        device="cpu",
        snapshot_path=str(init),
        epochs=int(request["epochs"]),
        save_epochs=int(request["epochs"]),
        batch_size=int(request["batch_size"]),
        display_iters=10,
        pytorch_cfg_updates=request.get("pytorch_cfg_updates", {}),
    )
    print(config)


if __name__ == "__main__":
    main(sys.argv[1])
