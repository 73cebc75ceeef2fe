//! Capturing a lesson's packets on `lo` (notes §1.3, §5.1.3) (being written).

use super::build::{Builds, CFlavor};
use super::lessons::Lesson;
use super::run::{Input, Lang, Narrator, RunError};
use super::signals::Interrupts;

/// What the lesson showed.
#[derive(Debug)]
pub struct Outcome {}

/// Runs `lesson` (encapsulation or handshake) while capturing its packets.
#[allow(clippy::too_many_arguments)]
pub fn run(
    _lesson: &Lesson,
    _builds: &Builds,
    _server: Lang,
    _client: Lang,
    _flavor: CFlavor,
    _input: &Input,
    _narrator: &mut dyn Narrator,
    _interrupts: Option<&Interrupts>,
) -> Result<Outcome, RunError> {
    Err(RunError::Io(std::io::Error::other(
        "this lesson is not written yet",
    )))
}
