#version 330 core
// transformTOP: each output pixel samples the input where the inverse
// transform puts it, an affine map the op works out from its parameters
// (translate, rotate and scale about the pivot, in units of the image
// height, centred, so that rotation keeps shapes round).
in vec2 vUV;
uniform sampler2D uInput;
uniform mat2 uM;
uniform vec2 uOffset;
out vec4 fragColor;
void main() {
    fragColor = texture(uInput, uM * (vUV - 0.5) + uOffset);
}
