"""The motion envelope and the visual impacts found in it.

Speeds are measured in frame widths per second, so a whip pan reads the same at any
resolution and frame rate: a camera crossing one frame width per second is a fast
pan. Each speed is mapped to 0..1 by ``1 - exp(-v / v_ref)``.

Impacts ("visual beats", after Davis & Agrawala's visual impact envelope) are where
motion stops or turns sharply: the velocity lost along the previous direction of
travel, for the camera and for the things in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.analysis.features import FrameFeatures

__all__ = ["MotionModel", "bridge"]


def bridge(values: np.ndarray, masked: np.ndarray) -> np.ndarray:
    """Replace masked samples by a straight line between their unmasked neighbours."""
    out = np.asarray(values, dtype=np.float64).copy()
    keep = ~masked
    if keep.sum() == 0:
        return np.zeros_like(out)
    idx = np.arange(len(out))
    out[masked] = np.interp(idx[masked], idx[keep], out[keep])
    return out


@dataclass(frozen=True, slots=True)
class MotionModel:
    """Turn per-frame shifts into a motion envelope and impacts.

    Parameters
    ----------
    camera_ref_fw_s : float > 0
        Camera speed that maps to 0.63 [frame widths per second].
    subject_ref_fw_s : float > 0
        Subject speed that maps to 0.63 [frame widths per second].
    impact_min_fw_s : float > 0
        Least velocity lost for an impact [frame widths per second].
    impact_gap_s : float > 0
        Shortest time between two impacts [s].
    """

    camera_ref_fw_s: float = 0.5
    subject_ref_fw_s: float = 0.12
    impact_min_fw_s: float = 0.2
    impact_gap_s: float = 0.25

    def velocities(self, features: FrameFeatures) -> tuple[np.ndarray, np.ndarray]:
        """Return camera velocity (n, 2) and subject speed (n,) in frame widths per second."""
        dt = np.diff(features.times_s, prepend=features.times_s[0] - 1.0 / 24)
        dt = np.where(dt > 0, dt, np.median(dt[dt > 0]) if (dt > 0).any() else 1.0 / 24)
        camera = features.shift_px / features.width / dt[:, None]
        subject = features.subject_speed_px / features.width / dt
        return camera.astype(np.float64), subject.astype(np.float64)

    def envelope(
        self, features: FrameFeatures, masked: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (values, camera, subject), each 0..1 per frame, masked frames bridged."""
        camera_v, subject_v = self.velocities(features)
        cam_speed = bridge(np.linalg.norm(camera_v, axis=1), masked)
        sub_speed = bridge(subject_v, masked)
        camera = 1.0 - np.exp(-cam_speed / self.camera_ref_fw_s)
        subject = 1.0 - np.exp(-sub_speed / self.subject_ref_fw_s)
        values = 1.0 - (1.0 - camera) * (1.0 - subject)
        return values, camera, subject

    def impacts(self, features: FrameFeatures, masked: np.ndarray) -> list[tuple[int, float]]:
        """Return ``(frame, strength)`` where motion stops or turns sharply; strength 0..1."""
        camera_v, subject_v = self.velocities(features)
        n = len(camera_v)
        if n < 6:
            return []
        vx = bridge(camera_v[:, 0], masked)
        vy = bridge(camera_v[:, 1], masked)
        sub = bridge(subject_v, masked)
        vel = np.stack([vx, vy], axis=1)
        # vel[t] is the motion from frame t - 1 to t. Motion arriving at frame t (vel[t - 1],
        # vel[t]) against motion leaving it (vel[t + 1], vel[t + 2]): an impact is the frame
        # the motion arrives at and stops.
        before = np.full((n, 2), np.nan)
        after = np.full((n, 2), np.nan)
        before[1:] = 0.5 * (vel[1:] + vel[:-1])
        after[:-2] = 0.5 * (vel[1:-1] + vel[2:])
        speed_before = np.linalg.norm(before, axis=1)
        direction = before / (speed_before[:, None] + 1e-9)
        lost_camera = np.clip(speed_before - (after * direction).sum(axis=1), 0.0, None)
        sub_before = np.full(n, np.nan)
        sub_after = np.full(n, np.nan)
        sub_before[1:] = 0.5 * (sub[1:] + sub[:-1])
        sub_after[:-2] = 0.5 * (sub[1:-1] + sub[2:])
        lost_subject = np.clip(sub_before - sub_after, 0.0, None)
        impact = np.nan_to_num(lost_camera + lost_subject)
        near_mask = np.convolve(masked.astype(float), np.ones(5), mode="same") > 0
        impact[near_mask] = 0.0
        dt = float(np.median(np.diff(features.times_s))) if n > 1 else 1.0 / 24
        gap = max(1, round(self.impact_gap_s / dt))
        found: list[tuple[int, float]] = []
        for t in np.argsort(-impact, kind="stable"):
            u = impact[t]
            if u < self.impact_min_fw_s:
                break
            lo, hi = max(0, t - 2), min(n, t + 3)
            if u < impact[lo:hi].max():
                continue
            if any(abs(int(t) - f) < gap for f, _ in found):
                continue
            found.append((int(t), float(1.0 - np.exp(-u / (2 * self.camera_ref_fw_s)))))
        return sorted(found)
