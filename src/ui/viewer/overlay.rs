//! What is drawn over a slice: the patient sides on the four edges, the crosshair of the linked
//! planes, and the text describing the voxel under the cursor.
use super::slice::PlaneAxes;
use crate::io::orientation::opposite;
use crate::io::Volume;
use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Stroke};

/// The side letters at the middle of each edge of `pane`, as every clinical viewer shows them.
pub fn orientation_letters(painter: &egui::Painter, pane: Rect, axes: &PlaneAxes) {
    let font = FontId::proportional(16.0);
    let color = Color32::from_rgb(255, 220, 120);
    let inset = 6.0;
    let c = pane.center();
    let letters = [
        (Pos2::new(pane.left() + inset, c.y), Align2::LEFT_CENTER, opposite(axes.right_side)),
        (Pos2::new(pane.right() - inset, c.y), Align2::RIGHT_CENTER, axes.right_side),
        (Pos2::new(c.x, pane.top() + inset), Align2::CENTER_TOP, opposite(axes.down_side)),
        (Pos2::new(c.x, pane.bottom() - inset), Align2::CENTER_BOTTOM, axes.down_side),
    ];
    for (pos, align, letter) in letters {
        // A dark halo keeps the letter readable over bright tissue.
        painter.text(pos + egui::vec2(1.0, 1.0), align, letter, font.clone(), Color32::BLACK);
        painter.text(pos, align, letter, font.clone(), color);
    }
}

/// Lines through the linked point, across the whole pane.
pub fn crosshair(painter: &egui::Painter, pane: Rect, at: Pos2) {
    let stroke = Stroke::new(1.0, Color32::from_rgba_unmultiplied(80, 200, 255, 150));
    painter.hline(pane.x_range(), at.y, stroke);
    painter.vline(at.x, pane.y_range(), stroke);
}

/// "voxel (12, 40, 7) · 30.5 L 12.0 P 80.0 S mm · 1043": the index, the patient position
/// and the value (every channel for colour).
pub fn readout(volume: &Volume, voxel: [usize; 3]) -> String {
    let [x, y, z] = voxel;
    let world = volume.world([x as f64, y as f64, z as f64]);
    let sides = [('R', 'L'), ('A', 'P'), ('S', 'I')];
    let position: Vec<String> = world
        .iter()
        .zip(sides)
        .map(|(mm, (pos, neg))| format!("{:.1} {}", mm.abs(), if *mm >= 0.0 { pos } else { neg }))
        .collect();
    let at = volume.index(x, y, z);
    let values = &volume.voxels[at..at + volume.channels];
    let value = if values.len() >= 3 {
        format!("RGB {}, {}, {}", values[0], values[1], values[2])
    } else {
        format!("value {}", values[0])
    };
    format!("voxel ({x}, {y}, {z}) · {} mm · {value}", position.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readout_names_index_position_and_every_channel() {
        let mut v = Volume::new((0..24).map(|i| i as f32).collect(), [2, 2, 2], 3, [2.0, 2.0, 3.0]);
        v.affine[0][0] = -2.0;
        v.affine[2][3] = -10.0;
        let text = readout(&v, [1, 0, 1]);
        assert_eq!(text, "voxel (1, 0, 1) · 2.0 L 0.0 A 7.0 I mm · RGB 15, 16, 17");
        let grey = Volume::new(vec![5.0, -3.5], [2, 1, 1], 1, [1.0; 3]);
        assert!(readout(&grey, [1, 0, 0]).ends_with("value -3.5"));
    }
}
