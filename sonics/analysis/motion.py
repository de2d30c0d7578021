"""The motion envelope and the visual impacts found in it.

Camera speed is measured in frame widths per second, so a whip pan reads the same at
any resolution and frame rate: a camera crossing one frame width per second is a fast
pan. Motion in the frame is the share of the picture that moves once the camera is
accounted for. Each is mapped to 0..1 by ``1 - exp(-x / x_ref)``.

Impacts ("visual beats", after Davis & Agrawala's visual impact envelope) are where
motion stops or turns sharply: the camera velocity lost along its previous direction
of travel, plus half the moving share lost, each in units of its reference.
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
    """Turn per-frame measurements into a motion envelope and impacts.

    Parameters
    ----------
    camera_ref_fw_s : float > 0
        Camera speed that maps to 0.63 [frame widths per second].
    moving_floor_share : float >= 0
        Share of the picture that changes without anything moving (coding noise, the
        resampling of fine texture under a slow pan); subtracted first.
    moving_ref_share : float > 0
        Share above that floor that maps to 0.63.
    min_impact : float > 0
        Least motion lost for an impact, in units of the two references above.
    impact_gap_s : float > 0
        Shortest time between two impacts [s].
    """

    camera_ref_fw_s: float = 0.8
    moving_floor_share: float = 0.01
    moving_ref_share: float = 0.04
    min_impact: float = 0.4
    impact_gap_s: float = 0.25

    def camera_velocity(self, features: FrameFeatures) -> np.ndarray:
        """Return the camera velocity (n, 2) in frame widths per second."""
        dt = np.diff(features.times_s, prepend=features.times_s[0] - 1.0 / 24)
        dt = np.where(dt > 0, dt, np.median(dt[dt > 0]) if (dt > 0).any() else 1.0 / 24)
        return (features.shift_px / features.width / dt[:, None]).astype(np.float64)

    def envelope(
        self, features: FrameFeatures, masked: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (values, camera, subject), each 0..1 per frame, masked frames bridged."""
        cam_speed = bridge(np.linalg.norm(self.camera_velocity(features), axis=1), masked)
        moving = np.clip(bridge(features.moving_share, masked) - self.moving_floor_share, 0.0, None)
        camera = 1.0 - np.exp(-cam_speed / self.camera_ref_fw_s)
        subject = 1.0 - np.exp(-moving / self.moving_ref_share)
        values = 1.0 - (1.0 - camera) * (1.0 - subject)
        return values, camera, subject

    def impacts(self, features: FrameFeatures, masked: np.ndarray) -> list[tuple[int, float]]:
        """Return ``(frame, strength)`` where motion stops or turns sharply; strength 0..1."""
        camera_v = self.camera_velocity(features)
        n = len(camera_v)
        if n < 6:
            return []
        vel = np.stack([bridge(camera_v[:, 0], masked), bridge(camera_v[:, 1], masked)], axis=1)
        moving = np.clip(bridge(features.moving_share, masked) - self.moving_floor_share, 0.0, None)
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
        moving_before = np.full(n, np.nan)
        moving_after = np.full(n, np.nan)
        moving_before[1:] = 0.5 * (moving[1:] + moving[:-1])
        moving_after[:-2] = 0.5 * (moving[1:-1] + moving[2:])
        lost_moving = np.clip(moving_before - moving_after, 0.0, None)
        # Things leaving the frame also lower the moving share: it counts for half.
        impact = np.nan_to_num(lost_camera / self.camera_ref_fw_s + 0.5 * lost_moving / self.moving_ref_share)
        near_mask = np.convolve(masked.astype(float), np.ones(5), mode="same") > 0
        impact[near_mask] = 0.0
        dt = float(np.median(np.diff(features.times_s))) if n > 1 else 1.0 / 24
        gap = max(1, round(self.impact_gap_s / dt))
        found: list[tuple[int, float]] = []
        for t in np.argsort(-impact, kind="stable"):
            u = impact[t]
            if u < self.min_impact:
                break
            lo, hi = max(0, t - 2), min(n, t + 3)
            if u < impact[lo:hi].max():
                continue
            if any(abs(int(t) - f) < gap for f, _ in found):
                continue
            found.append((int(t), float(1.0 - np.exp(-u / 2.0))))
        return sorted(found)
